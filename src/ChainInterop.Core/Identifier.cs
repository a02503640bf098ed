namespace ChainInterop;

/// <summary>
/// The one rule for the text identifiers of ChainInterop (<see cref="ChainId"/>, <see cref="InstitutionId"/>,
/// <see cref="AccountId"/>): 1 to <see cref="MaxLength"/> ASCII characters from <c>A–Z a–z 0–9 . _ - :</c>,
/// starting with a letter or digit, compared ordinally (case-sensitive).
/// </summary>
/// <remarks>
/// Identifiers appear inside signed objects, file names and log lines, so they are kept to a small printable
/// alphabet: no whitespace, no separators that a path or a log parser would read, no Unicode look-alikes.
/// </remarks>
public static class Identifier
{
    /// <summary>The longest identifier, in characters (and bytes: identifiers are ASCII).</summary>
    public const int MaxLength = 64;

    /// <summary>Whether <paramref name="value"/> satisfies the identifier rule.</summary>
    /// <param name="value">The candidate text.</param>
    /// <returns>True when it is a valid identifier.</returns>
    public static bool IsValid(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty || value.Length > MaxLength || !char.IsAsciiLetterOrDigit(value[0]))
        {
            return false;
        }

        foreach (char c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-' or ':'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Throws unless <paramref name="value"/> is a valid identifier.</summary>
    /// <param name="value">The candidate text.</param>
    /// <param name="kind">What the identifier names, for the message (e.g. "chain id").</param>
    /// <param name="paramName">The caller's parameter name.</param>
    /// <returns><paramref name="value"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="value"/> breaks the rule.</exception>
    internal static string Require(string value, string kind, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        if (!IsValid(value))
        {
            throw new ArgumentException(
                $"Invalid {kind} '{Truncate(value)}': use 1-{MaxLength} characters from A-Z a-z 0-9 . _ - :, starting with a letter or digit.",
                paramName);
        }

        return value;
    }

    private static string Truncate(string value) => value.Length <= MaxLength ? value : value[..MaxLength] + "…";
}
