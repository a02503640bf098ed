namespace ChainInterop;

/// <summary>
/// Names one chain: a participant chain (PPC), an account chain (ABC) or a trading chain (TBC). Blocks,
/// certificates and cross-chain messages carry it, so a signature made for one chain never verifies on another.
/// </summary>
/// <remarks>Follows the <see cref="Identifier"/> rule; equality and ordering are ordinal. <c>default</c> names nothing.</remarks>
[System.ComponentModel.TypeConverter(typeof(IdentifierTypeConverter<ChainId>))]
public readonly record struct ChainId : IComparable<ChainId>, IIdentifier<ChainId>
{
    /// <summary>Creates the id from its text.</summary>
    /// <param name="value">1-64 characters from <c>A–Z a–z 0–9 . _ - :</c>, starting with a letter or digit.</param>
    /// <exception cref="ArgumentException"><paramref name="value"/> breaks the <see cref="Identifier"/> rule.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public ChainId(string value) => Value = Identifier.Require(value, Kind, nameof(value));

    /// <inheritdoc />
    public static string Kind => "chain id";

    /// <summary>The text of the id; null only for <c>default</c>.</summary>
    public string Value { get; }

    /// <summary>Whether this is <c>default</c>, which names nothing.</summary>
    public bool IsDefault => Value is null;

    /// <summary>Tries to create the id from text.</summary>
    /// <param name="value">The candidate text.</param>
    /// <param name="id">The id when valid, otherwise <c>default</c>.</param>
    /// <returns>Whether <paramref name="value"/> is a valid id.</returns>
    public static bool TryCreate(string? value, out ChainId id)
    {
        id = value is not null && Identifier.IsValid(value) ? new ChainId(value) : default;
        return !id.IsDefault;
    }

    /// <inheritdoc />
    public int CompareTo(ChainId other) => string.CompareOrdinal(Value, other.Value);

    /// <summary>The text of the id (empty for <c>default</c>).</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Value ?? string.Empty;
}
