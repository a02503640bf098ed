namespace ChainInterop.Tests.Primitives;

public class IdentifierTests
{
    [Theory]
    [InlineData("ppc-bank-a")]
    [InlineData("ICC.1:abc")]
    [InlineData("a")]
    [InlineData("0_chain")]
    public void Valid_identifiers_are_accepted(string text)
    {
        Assert.Equal(text, new ChainId(text).Value);
        Assert.Equal(text, new InstitutionId(text).ToString());
        Assert.True(AccountId.TryCreate(text, out var account));
        Assert.Equal(text, account.Value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-leading")]
    [InlineData("has space")]
    [InlineData("slash/no")]
    [InlineData("ünicode")]
    [InlineData("new\nline")]
    public void Invalid_identifiers_are_refused_with_a_clear_error(string text)
    {
        var error = Assert.Throws<ArgumentException>(() => new ChainId(text));
        Assert.Contains("chain id", error.Message, StringComparison.Ordinal);
        Assert.False(InstitutionId.TryCreate(text, out var id));
        Assert.True(id.IsDefault);
    }

    [Fact]
    public void Identifiers_longer_than_64_characters_are_refused()
    {
        Assert.True(ChainId.TryCreate(new string('a', 64), out _));
        Assert.False(ChainId.TryCreate(new string('a', 65), out _));
    }

    [Fact]
    public void Identifiers_compare_ordinally_and_case_sensitively()
    {
        Assert.NotEqual(new ChainId("abc"), new ChainId("ABC"));
        Assert.Equal(new ChainId("abc"), new ChainId("abc"));
        Assert.True(new ChainId("B").CompareTo(new ChainId("a")) < 0);
        Assert.Throws<ArgumentNullException>(() => new AccountId(null!));
    }

    [Theory]
    [InlineData("CNY", true)]
    [InlineData("BANKA.CNY", true)]
    [InlineData("XAU-1", true)]
    [InlineData("usd", false)]
    [InlineData("1USD", false)]
    [InlineData("", false)]
    [InlineData("ABCDEFGHIJKLMNOPQ", false)]
    public void Asset_codes_are_upper_case_so_usd_and_USD_cannot_be_two_assets(string text, bool valid)
    {
        Assert.Equal(valid, AssetCode.TryCreate(text, out _));
        if (!valid)
        {
            Assert.ThrowsAny<ArgumentException>(() => new AssetCode(text));
        }
    }
}
