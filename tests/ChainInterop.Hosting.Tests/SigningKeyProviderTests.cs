using ChainInterop.Crypto;

namespace ChainInterop.Hosting.Tests;

public sealed class SigningKeyProviderTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Demo_keys_are_the_same_for_everyone_and_differ_per_chain_and_index()
    {
        var chain = new ChainId("ppc-bank-a");
        using var first = new DemoSigningKeyProvider().GetSigningKey(chain, 0);
        using var again = DemoSigningKeyProvider.DeriveKey(chain, 0);
        using var next = DemoSigningKeyProvider.DeriveKey(chain, 1);
        using var other = DemoSigningKeyProvider.DeriveKey(new ChainId("ppc-bank-b"), 0);

        Assert.Equal(first.PublicKey, again.PublicKey);
        Assert.Equal(3, new[] { first, next, other }.Select(k => k.PublicKey).Distinct().Count());
    }

    [Fact]
    public void A_demo_key_is_the_Ed25519_key_of_the_SHA256_of_the_documented_text()
    {
        using var expected = SignatureSchemes.Ed25519.ImportPrivateKey(
            System.Security.Cryptography.SHA256.HashData("ChainInterop demo validator key v1|icc-1|3"u8));
        using var demo = DemoSigningKeyProvider.DeriveKey(new ChainId("icc-1"), 3);

        Assert.Equal(expected.PublicKey, demo.PublicKey);
    }

    [Fact]
    public void The_key_file_provider_reads_the_configured_file_relative_to_the_base_directory()
    {
        using var key = SignatureSchemes.Ed25519.GenerateKey();
        KeyFile.Write(_directory.File("keys/a-2.key"), key);
        var node = new SettlementNodeOptions
        {
            BaseDirectory = _directory.Path,
            Validators = [new HostedValidatorOptions { Chain = "ppc-bank-a", Index = 2, KeyFile = "keys/a-2.key" }],
        };
        var provider = new KeyFileSigningKeyProvider(node);

        using var read = provider.GetSigningKey(new ChainId("ppc-bank-a"), 2);

        Assert.Equal(key.PublicKey, read.PublicKey);
        Assert.Throws<ArgumentException>(() => provider.GetSigningKey(new ChainId("ppc-bank-a"), 1));
        Assert.Throws<ArgumentException>(() => provider.GetSigningKey(new ChainId("ppc-bank-b"), 2));
    }

    [Fact]
    public void The_key_file_provider_reports_a_missing_file_by_its_resolved_path()
    {
        var node = new SettlementNodeOptions
        {
            BaseDirectory = _directory.Path,
            Validators = [new HostedValidatorOptions { Chain = "icc-1", Index = 0, KeyFile = "keys/icc-1-0.key" }],
        };

        var e = Assert.Throws<KeyFileException>(() => new KeyFileSigningKeyProvider(node).GetSigningKey(new ChainId("icc-1"), 0));

        Assert.Equal(_directory.File("keys/icc-1-0.key"), e.Path);
        Assert.Equal(KeyFileProblem.Missing, e.Problem);
    }
}
