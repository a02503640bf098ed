namespace ChainInterop;

/// <summary>
/// A validated text identifier (<see cref="ChainId"/>, <see cref="InstitutionId"/>, <see cref="AccountId"/>,
/// <see cref="AssetCode"/>), so that codecs and parsers handle every kind of id with one piece of code.
/// </summary>
/// <typeparam name="TSelf">The identifier type.</typeparam>
public interface IIdentifier<TSelf>
    where TSelf : struct, IIdentifier<TSelf>
{
    /// <summary>What the identifier names, for messages (e.g. "chain id").</summary>
    static abstract string Kind { get; }

    /// <summary>The text of the id; null only for <c>default</c>.</summary>
    string Value { get; }

    /// <summary>Tries to create the id from text.</summary>
    /// <param name="value">The candidate text.</param>
    /// <param name="id">The id when valid.</param>
    /// <returns>Whether the text is a valid id.</returns>
    static abstract bool TryCreate(string? value, out TSelf id);
}
