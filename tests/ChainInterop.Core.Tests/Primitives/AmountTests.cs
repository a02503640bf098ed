using ChainInterop.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace ChainInterop.Tests.Primitives;

public class AmountTests
{
    [Fact]
    public void Addition_overflow_is_an_error_never_a_wrap()
    {
        var max = Amount.FromMinorUnits(long.MaxValue);
        Assert.Throws<OverflowException>(() => max + Amount.FromMinorUnits(1));
        Assert.Throws<OverflowException>(() => Amount.FromMinorUnits(long.MinValue) - Amount.FromMinorUnits(1));
        Assert.Throws<OverflowException>(() => -Amount.FromMinorUnits(long.MinValue));
        Assert.Throws<OverflowException>(() => Amount.Sum([max, Amount.FromMinorUnits(1), Amount.FromMinorUnits(-5)]));
        Assert.False(max.TryAdd(Amount.FromMinorUnits(1), out _));
        Assert.False(Amount.FromMinorUnits(long.MinValue).TrySubtract(Amount.FromMinorUnits(1), out _));
    }

    /// <summary>Any two amounts (every magnitude, so sums and differences overflow often).</summary>
    [Property]
    public Property TryAdd_and_TrySubtract_agree_with_checked_128_bit_arithmetic() =>
        Prop.ForAll(Arbitraries.Int64s, Arbitraries.Int64s, (a, b) =>
        {
            Int128 sum = (Int128)a + b;
            Int128 difference = (Int128)a - b;
            bool sumFits = sum >= long.MinValue && sum <= long.MaxValue;
            bool differenceFits = difference >= long.MinValue && difference <= long.MaxValue;
            bool addOk = Amount.FromMinorUnits(a).TryAdd(Amount.FromMinorUnits(b), out var s);
            bool subOk = Amount.FromMinorUnits(a).TrySubtract(Amount.FromMinorUnits(b), out var d);
            return addOk == sumFits && subOk == differenceFits
                && (!addOk || s.MinorUnits == (long)sum)
                && (!subOk || d.MinorUnits == (long)difference);
        });

    [Fact]
    public void TryAdd_and_TrySubtract_agree_with_checked_128_bit_arithmetic_at_the_edges()
    {
        // The edges that random longs rarely hit.
        long[] edges = [long.MinValue, long.MinValue + 1, -1, 0, 1, long.MaxValue - 1, long.MaxValue];
        foreach (long a in edges)
        {
            foreach (long b in edges)
            {
                Int128 sum = (Int128)a + b;
                Assert.Equal(sum >= long.MinValue && sum <= long.MaxValue, Amount.FromMinorUnits(a).TryAdd(Amount.FromMinorUnits(b), out _));
                Int128 difference = (Int128)a - b;
                Assert.Equal(difference >= long.MinValue && difference <= long.MaxValue, Amount.FromMinorUnits(a).TrySubtract(Amount.FromMinorUnits(b), out _));
            }
        }
    }

    [Theory]
    [InlineData(12345, 2, "123.45")]
    [InlineData(5, 2, "0.05")]
    [InlineData(-5, 2, "-0.05")]
    [InlineData(100, 0, "100")]
    [InlineData(long.MinValue, 2, "-92233720368547758.08")]
    [InlineData(long.MaxValue, 18, "9.223372036854775807")]
    public void Decimal_text_is_exact(long minorUnits, int scale, string text)
    {
        Assert.Equal(text, Amount.FromMinorUnits(minorUnits).ToDecimalString(scale));
        Assert.True(Amount.TryParseDecimal(text, scale, out var parsed));
        Assert.Equal(minorUnits, parsed.MinorUnits);
    }

    [Theory]
    [InlineData("1.234", 2)]
    [InlineData("1.", 2)]
    [InlineData(".5", 2)]
    [InlineData("", 2)]
    [InlineData("-", 2)]
    [InlineData("1e5", 2)]
    [InlineData("1,000", 2)]
    [InlineData(" 1", 2)]
    [InlineData("92233720368547758.08", 2)]
    [InlineData("99999999999999999999999", 0)]
    public void Decimal_text_that_is_inexact_or_out_of_range_is_rejected(string text, int scale)
    {
        Assert.False(Amount.TryParseDecimal(text, scale, out _));
    }

    [Property]
    public Property Decimal_text_round_trips_for_any_amount_and_scale() =>
        Prop.ForAll(Arbitraries.Int64s, CommonArbitraries.Range(0, Amount.MaxScale), (minor, scale) =>
        {
            string text = Amount.FromMinorUnits(minor).ToDecimalString(scale);
            return Amount.TryParseDecimal(text, scale, out var back) && back.MinorUnits == minor;
        });
}
