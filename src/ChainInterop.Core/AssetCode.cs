namespace ChainInterop;

/// <summary>
/// Names an asset: an ISO 4217 currency (<c>CNY</c>, <c>USD</c>) or an issued token (<c>BANKA.CNY</c>).
/// 1 to <see cref="MaxLength"/> characters from <c>A–Z 0–9 . _ -</c>, starting with a letter; upper case only, so
/// <c>usd</c> and <c>USD</c> can never be two different assets.
/// </summary>
[System.ComponentModel.TypeConverter(typeof(IdentifierTypeConverter<AssetCode>))]
public readonly record struct AssetCode : IComparable<AssetCode>, IIdentifier<AssetCode>
{
    /// <summary>The longest asset code, in characters.</summary>
    public const int MaxLength = 16;

    /// <summary>Creates the code from its text.</summary>
    /// <param name="value">The code, e.g. <c>CNY</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="value"/> is not a valid asset code.</exception>
    public AssetCode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!IsValid(value))
        {
            throw new ArgumentException(
                $"Invalid asset code '{value}': use 1-{MaxLength} characters from A-Z 0-9 . _ -, starting with an upper-case letter.",
                nameof(value));
        }

        Value = value;
    }

    /// <inheritdoc />
    public static string Kind => "asset code";

    /// <summary>The text of the code; null only for <c>default</c>.</summary>
    public string Value { get; }

    /// <summary>Whether this is <c>default</c>, which names nothing.</summary>
    public bool IsDefault => Value is null;

    /// <summary>Whether <paramref name="value"/> is a valid asset code.</summary>
    /// <param name="value">The candidate text.</param>
    /// <returns>True when valid.</returns>
    public static bool IsValid(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty || value.Length > MaxLength || !char.IsAsciiLetterUpper(value[0]))
        {
            return false;
        }

        foreach (char c in value)
        {
            if (!char.IsAsciiLetterUpper(c) && !char.IsAsciiDigit(c) && c is not ('.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Tries to create the code from text.</summary>
    /// <param name="value">The candidate text.</param>
    /// <param name="code">The code when valid, otherwise <c>default</c>.</param>
    /// <returns>Whether <paramref name="value"/> is valid.</returns>
    public static bool TryCreate(string? value, out AssetCode code)
    {
        code = value is not null && IsValid(value) ? new AssetCode(value) : default;
        return !code.IsDefault;
    }

    /// <inheritdoc />
    public int CompareTo(AssetCode other) => string.CompareOrdinal(Value, other.Value);

    /// <summary>The text of the code (empty for <c>default</c>).</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Value ?? string.Empty;
}
