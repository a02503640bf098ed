using System.Globalization;

namespace ChainInterop;

/// <summary>
/// A quantity of money in integer minor units (cents, fen, satoshi), signed so that net positions and debits can be
/// expressed. Arithmetic is checked: a result outside the 64-bit range throws <see cref="OverflowException"/> instead
/// of wrapping, and there are no implicit conversions from numbers or text.
/// </summary>
/// <remarks>
/// An <see cref="Amount"/> carries no asset: pair it with an <see cref="AssetCode"/> where the asset matters. The scale
/// (decimal places of the asset) is only used to format and parse text, never to compute.
/// </remarks>
public readonly record struct Amount : IComparable<Amount>
{
    /// <summary>The most decimal places an asset may have for text conversion.</summary>
    public const int MaxScale = 18;

    /// <summary>Creates an amount of <paramref name="minorUnits"/> minor units.</summary>
    /// <param name="minorUnits">The quantity in minor units.</param>
    public Amount(long minorUnits) => MinorUnits = minorUnits;

    /// <summary>The quantity in minor units.</summary>
    public long MinorUnits { get; }

    /// <summary>Zero.</summary>
    public static Amount Zero => default;

    /// <summary>Whether the amount is below zero.</summary>
    public bool IsNegative => MinorUnits < 0;

    /// <summary>Whether the amount is above zero.</summary>
    public bool IsPositive => MinorUnits > 0;

    /// <summary>Whether the amount is zero.</summary>
    public bool IsZero => MinorUnits == 0;

    /// <summary>Creates an amount from minor units.</summary>
    /// <param name="minorUnits">The quantity in minor units.</param>
    /// <returns>The amount.</returns>
    public static Amount FromMinorUnits(long minorUnits) => new(minorUnits);

    /// <summary>Checked addition.</summary>
    /// <param name="left">The first addend.</param>
    /// <param name="right">The second addend.</param>
    /// <returns>The sum.</returns>
    /// <exception cref="OverflowException">The sum is outside the 64-bit range.</exception>
    public static Amount operator +(Amount left, Amount right) => new(checked(left.MinorUnits + right.MinorUnits));

    /// <summary>Checked subtraction.</summary>
    /// <param name="left">The minuend.</param>
    /// <param name="right">The subtrahend.</param>
    /// <returns>The difference.</returns>
    /// <exception cref="OverflowException">The difference is outside the 64-bit range.</exception>
    public static Amount operator -(Amount left, Amount right) => new(checked(left.MinorUnits - right.MinorUnits));

    /// <summary>Checked negation.</summary>
    /// <param name="value">The amount.</param>
    /// <returns>Its negation.</returns>
    /// <exception cref="OverflowException"><paramref name="value"/> is the minimum 64-bit value.</exception>
    public static Amount operator -(Amount value) => new(checked(-value.MinorUnits));

    /// <summary>Checked addition.</summary>
    /// <param name="other">The other addend.</param>
    /// <returns>The sum.</returns>
    /// <exception cref="OverflowException">The sum is outside the 64-bit range.</exception>
    public Amount Add(Amount other) => this + other;

    /// <summary>Checked subtraction.</summary>
    /// <param name="other">The subtrahend.</param>
    /// <returns>The difference.</returns>
    /// <exception cref="OverflowException">The difference is outside the 64-bit range.</exception>
    public Amount Subtract(Amount other) => this - other;

    /// <summary>Checked negation.</summary>
    /// <returns>The negated amount.</returns>
    /// <exception cref="OverflowException">This is the minimum 64-bit value.</exception>
    public Amount Negate() => -this;

    /// <summary>Addition that reports overflow instead of throwing, for protocol code that returns typed results.</summary>
    /// <param name="other">The other addend.</param>
    /// <param name="sum">The sum when it fits.</param>
    /// <returns>Whether the sum fits in 64 bits.</returns>
    public bool TryAdd(Amount other, out Amount sum)
    {
        long result = unchecked(MinorUnits + other.MinorUnits);
        // Overflow happened iff both operands have the same sign and the result's sign differs.
        bool overflow = ((MinorUnits ^ result) & (other.MinorUnits ^ result)) < 0;
        sum = overflow ? default : new Amount(result);
        return !overflow;
    }

    /// <summary>Subtraction that reports overflow instead of throwing.</summary>
    /// <param name="other">The subtrahend.</param>
    /// <param name="difference">The difference when it fits.</param>
    /// <returns>Whether the difference fits in 64 bits.</returns>
    public bool TrySubtract(Amount other, out Amount difference)
    {
        long result = unchecked(MinorUnits - other.MinorUnits);
        // Overflow happened iff the operands have different signs and the result's sign differs from the minuend's.
        bool overflow = ((MinorUnits ^ other.MinorUnits) & (MinorUnits ^ result)) < 0;
        difference = overflow ? default : new Amount(result);
        return !overflow;
    }

    /// <summary>Checked sum of a sequence.</summary>
    /// <param name="amounts">The amounts.</param>
    /// <returns>Their sum.</returns>
    /// <exception cref="OverflowException">A partial sum leaves the 64-bit range.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="amounts"/> is null.</exception>
    public static Amount Sum(IEnumerable<Amount> amounts)
    {
        ArgumentNullException.ThrowIfNull(amounts);
        var total = Zero;
        foreach (var amount in amounts)
        {
            total += amount;
        }

        return total;
    }

    /// <inheritdoc />
    public int CompareTo(Amount other) => MinorUnits.CompareTo(other.MinorUnits);

    /// <summary>Ordering by value.</summary>
    /// <param name="left">The first amount.</param>
    /// <param name="right">The second amount.</param>
    /// <returns>Whether <paramref name="left"/> is smaller.</returns>
    public static bool operator <(Amount left, Amount right) => left.MinorUnits < right.MinorUnits;

    /// <summary>Ordering by value.</summary>
    /// <param name="left">The first amount.</param>
    /// <param name="right">The second amount.</param>
    /// <returns>Whether <paramref name="left"/> is larger.</returns>
    public static bool operator >(Amount left, Amount right) => left.MinorUnits > right.MinorUnits;

    /// <summary>Ordering by value.</summary>
    /// <param name="left">The first amount.</param>
    /// <param name="right">The second amount.</param>
    /// <returns>Whether <paramref name="left"/> is smaller or equal.</returns>
    public static bool operator <=(Amount left, Amount right) => left.MinorUnits <= right.MinorUnits;

    /// <summary>Ordering by value.</summary>
    /// <param name="left">The first amount.</param>
    /// <param name="right">The second amount.</param>
    /// <returns>Whether <paramref name="left"/> is larger or equal.</returns>
    public static bool operator >=(Amount left, Amount right) => left.MinorUnits >= right.MinorUnits;

    /// <summary>Formats as a decimal with <paramref name="scale"/> fractional digits, e.g. 12345 at scale 2 is "123.45".</summary>
    /// <param name="scale">The asset's decimal places, 0 to <see cref="MaxScale"/>.</param>
    /// <returns>The exact decimal text (invariant culture, '.' separator).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="scale"/> is outside 0..18.</exception>
    public string ToDecimalString(int scale)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(scale);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(scale, MaxScale);
        // Work on the magnitude as UInt128 so long.MinValue formats without overflow.
        UInt128 magnitude = MinorUnits < 0 ? (UInt128)(-(Int128)MinorUnits) : (UInt128)MinorUnits;
        string digits = magnitude.ToString(CultureInfo.InvariantCulture).PadLeft(scale + 1, '0');
        string sign = MinorUnits < 0 ? "-" : string.Empty;
        return scale == 0 ? sign + digits : $"{sign}{digits[..^scale]}.{digits[^scale..]}";
    }

    /// <summary>
    /// Parses a decimal text exactly: at most <paramref name="scale"/> fractional digits, no exponent, no grouping,
    /// optional leading '-'. "123.4" at scale 2 is 12340 minor units; "1.234" at scale 2 is rejected, never rounded.
    /// </summary>
    /// <param name="text">The decimal text.</param>
    /// <param name="scale">The asset's decimal places, 0 to <see cref="MaxScale"/>.</param>
    /// <param name="amount">The amount when valid.</param>
    /// <returns>Whether the text was an exact, in-range amount.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="scale"/> is outside 0..18.</exception>
    public static bool TryParseDecimal(ReadOnlySpan<char> text, int scale, out Amount amount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(scale);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(scale, MaxScale);
        amount = default;
        bool negative = text.Length > 0 && text[0] == '-';
        if (negative)
        {
            text = text[1..];
        }

        int dot = text.IndexOf('.');
        var whole = dot < 0 ? text : text[..dot];
        var fraction = dot < 0 ? ReadOnlySpan<char>.Empty : text[(dot + 1)..];
        if (whole.IsEmpty || fraction.Length > scale || (dot >= 0 && fraction.IsEmpty)
            || !IsAllDigits(whole) || !IsAllDigits(fraction))
        {
            return false;
        }

        Int128 value = 0;
        foreach (char c in whole)
        {
            value = (value * 10) + (c - '0');
            if (value > (Int128)long.MaxValue + 1)
            {
                return false;
            }
        }

        for (int i = 0; i < scale; i++)
        {
            value = (value * 10) + (i < fraction.Length ? fraction[i] - '0' : 0);
            if (value > (Int128)long.MaxValue + 1)
            {
                return false;
            }
        }

        value = negative ? -value : value;
        if (value > long.MaxValue || value < long.MinValue)
        {
            return false;
        }

        amount = new Amount((long)value);
        return true;
    }

    private static bool IsAllDigits(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The minor units as an invariant integer, e.g. "12345".</summary>
    /// <returns>The text.</returns>
    public override string ToString() => MinorUnits.ToString(CultureInfo.InvariantCulture);
}
