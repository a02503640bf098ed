using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace ChainInterop.Transport.Tcp;

/// <summary>
/// Optional TLS for the TCP transport (confidentiality and integrity of every frame; thesis §4.3 "SSL between
/// layers"). Identity is still proved by the signed handshake transcript, which is bound to the server certificate,
/// so certificates may be self-signed and are not checked against a certificate authority.
/// </summary>
public sealed class TcpTlsOptions
{
    /// <summary>The certificate, with its private key, this node presents when it accepts a connection. Required when the transport listens.</summary>
    public X509Certificate2? Certificate { get; set; }

    /// <summary>The TLS versions allowed; <see cref="SslProtocols.None"/> (default) lets the operating system choose (TLS 1.2 and 1.3).</summary>
    public SslProtocols EnabledProtocols { get; set; } = SslProtocols.None;
}
