namespace ChainInterop.Settlement.Vouchers;

/// <summary>
/// A user's number at its institution (seed 001 claim 2, 用户编号): the person or merchant who asks for a payment
/// settlement. Follows the <see cref="Identifier"/> rule; equality and ordering are ordinal. <c>default</c> names nobody.
/// </summary>
public readonly record struct UserId : IComparable<UserId>, IIdentifier<UserId>
{
    /// <summary>Creates the id from its text.</summary>
    /// <param name="value">1-64 characters from <c>A–Z a–z 0–9 . _ - :</c>, starting with a letter or digit.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="value"/> breaks the <see cref="Identifier"/> rule.</exception>
    public UserId(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!Identifier.IsValid(value))
        {
            throw new ArgumentException(
                $"Invalid user id: use 1-{Identifier.MaxLength} characters from A-Z a-z 0-9 . _ - :, starting with a letter or digit.",
                nameof(value));
        }

        Value = value;
    }

    /// <inheritdoc />
    public static string Kind => "user id";

    /// <summary>The text of the id; null only for <c>default</c>.</summary>
    public string Value { get; }

    /// <summary>Whether this is <c>default</c>, which names nobody.</summary>
    public bool IsDefault => Value is null;

    /// <summary>Tries to create the id from text.</summary>
    /// <param name="value">The candidate text.</param>
    /// <param name="id">The id when valid, otherwise <c>default</c>.</param>
    /// <returns>Whether <paramref name="value"/> is a valid id.</returns>
    public static bool TryCreate(string? value, out UserId id)
    {
        id = value is not null && Identifier.IsValid(value) ? new UserId(value) : default;
        return !id.IsDefault;
    }

    /// <inheritdoc />
    public int CompareTo(UserId other) => string.CompareOrdinal(Value, other.Value);

    /// <summary>The text of the id (empty for <c>default</c>).</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Value ?? string.Empty;
}
