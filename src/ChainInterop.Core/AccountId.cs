namespace ChainInterop;

/// <summary>
/// Names an account on a ledger, such as an institution's account on an intermediary's account chain (ABC).
/// </summary>
/// <remarks>Follows the <see cref="Identifier"/> rule; equality and ordering are ordinal. <c>default</c> names nothing.</remarks>
[System.ComponentModel.TypeConverter(typeof(IdentifierTypeConverter<AccountId>))]
public readonly record struct AccountId : IComparable<AccountId>, IIdentifier<AccountId>
{
    /// <summary>Creates the id from its text.</summary>
    /// <param name="value">1-64 characters from <c>A–Z a–z 0–9 . _ - :</c>, starting with a letter or digit.</param>
    /// <exception cref="ArgumentException"><paramref name="value"/> breaks the <see cref="Identifier"/> rule.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public AccountId(string value) => Value = Identifier.Require(value, Kind, nameof(value));

    /// <inheritdoc />
    public static string Kind => "account id";

    /// <summary>The text of the id; null only for <c>default</c>.</summary>
    public string Value { get; }

    /// <summary>Whether this is <c>default</c>, which names nothing.</summary>
    public bool IsDefault => Value is null;

    /// <summary>Tries to create the id from text.</summary>
    /// <param name="value">The candidate text.</param>
    /// <param name="id">The id when valid, otherwise <c>default</c>.</param>
    /// <returns>Whether <paramref name="value"/> is a valid id.</returns>
    public static bool TryCreate(string? value, out AccountId id)
    {
        id = value is not null && Identifier.IsValid(value) ? new AccountId(value) : default;
        return !id.IsDefault;
    }

    /// <inheritdoc />
    public int CompareTo(AccountId other) => string.CompareOrdinal(Value, other.Value);

    /// <summary>The text of the id (empty for <c>default</c>).</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Value ?? string.Empty;
}
