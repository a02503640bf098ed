using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ChainInterop.Crypto;

namespace ChainInterop.Hosting;

/// <summary>
/// Parses the text values of the settlement configuration (keys, end points, engine names). Validation and the typed
/// accessors share these, so a value that validates is a value the accessors accept.
/// </summary>
internal static class ConfigText
{
    /// <summary>The hex digits of an Ed25519 public key or seed (32 bytes).</summary>
    public const int KeyHexDigits = 64;

    /// <summary>What a public key should look like, for messages.</summary>
    public const string PublicKeyExpected = "not 64 hex digits (an Ed25519 public key)";

    /// <summary>What an end point should look like, for messages.</summary>
    public const string EndPointExpected = "not host:port (an IPv4 address, [IPv6] address or DNS name, then a port 1-65535)";

    /// <summary>What an engine should be, for messages.</summary>
    public const string EngineExpected = "use pbft, cbft or single-authority";

    /// <summary>Parses 64 hex digits (either case) as an Ed25519 public key.</summary>
    public static bool TryParsePublicKey(string? text, [NotNullWhen(true)] out PublicKey? key)
    {
        key = null;
        if (text is null || text.Length != KeyHexDigits)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[KeyHexDigits / 2];
        if (Convert.FromHexString(text, bytes, out _, out int written) != OperationStatus.Done || written != bytes.Length)
        {
            return false;
        }

        key = PublicKey.Create(SignatureAlgorithm.Ed25519, bytes);
        return true;
    }

    /// <summary>
    /// Parses <c>host:port</c>: an IPv4 address, a bracketed IPv6 address (<c>[::1]:7101</c>) or a DNS name, and a port
    /// from 1 to 65535 (a listener on port 0 would take any port, which no peer could be told).
    /// </summary>
    public static bool TryParseEndPoint(string? text, [NotNullWhen(true)] out EndPoint? endPoint)
    {
        endPoint = null;
        int colon = text?.LastIndexOf(':') ?? -1;
        if (text is null || colon <= 0
            || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port)
            || port is < IPEndPoint.MinPort + 1 or > IPEndPoint.MaxPort)
        {
            return false;
        }

        string host = text[..colon];
        if (host.Length > 2 && host[0] == '[' && host[^1] == ']')
        {
            if (IPAddress.TryParse(host.AsSpan(1, host.Length - 2), out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6)
            {
                endPoint = new IPEndPoint(v6, port);
            }
        }
        else
        {
            // Uri.CheckHostName accepts only dotted-quad IPv4 (not "127.1") and RFC 1123 names, and rejects a bare IPv6
            // address, whose colons would make the port ambiguous.
            endPoint = Uri.CheckHostName(host) switch
            {
                UriHostNameType.IPv4 => new IPEndPoint(IPAddress.Parse(host), port),
                UriHostNameType.Dns => new DnsEndPoint(host, port),
                _ => null,
            };
        }

        return endPoint is not null;
    }

    /// <summary>Parses an engine name (case-insensitive).</summary>
    public static bool TryParseEngine(string? text, out ConsensusEngine engine)
    {
        foreach (var candidate in Enum.GetValues<ConsensusEngine>())
        {
            if (string.Equals(text, NameOf(candidate), StringComparison.OrdinalIgnoreCase))
            {
                engine = candidate;
                return true;
            }
        }

        engine = default;
        return false;
    }

    /// <summary>The configuration name of an engine.</summary>
    public static string NameOf(ConsensusEngine engine) => engine switch
    {
        ConsensusEngine.Pbft => "pbft",
        ConsensusEngine.Cbft => "cbft",
        ConsensusEngine.SingleAuthority => "single-authority",
        _ => throw new ArgumentOutOfRangeException(nameof(engine), engine, "Unknown consensus engine."),
    };

    /// <summary>Resolves <paramref name="path"/> against <paramref name="baseDirectory"/> (the current directory when null).</summary>
    public static string Resolve(string? baseDirectory, string path) =>
        Path.GetFullPath(Path.Combine(baseDirectory ?? Directory.GetCurrentDirectory(), path));

    /// <summary>Shortens user text quoted in a message, so a pasted secret or a huge value is not echoed whole.</summary>
    public static string Quote(string? text) => text is null ? "(none)" : text.Length <= 80 ? $"'{text}'" : $"'{text[..80]}…'";
}
