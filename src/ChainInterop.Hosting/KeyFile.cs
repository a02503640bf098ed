using System.Buffers;
using System.Security.Cryptography;
using ChainInterop.Crypto;

namespace ChainInterop.Hosting;

/// <summary>
/// Private-key files: one Ed25519 key per file, its 32-byte seed (RFC 8032) as 64 hex digits and a newline — the
/// format of the node sample's key files. Readable by their owner only (mode 600 on Unix).
/// </summary>
/// <remarks>
/// Seeds pass through buffers this class owns and wipes (<see cref="CryptographicOperations.ZeroMemory"/>), never
/// through strings, and files are read and written unbuffered, so no copy of a seed is left behind in managed memory.
/// </remarks>
public static class KeyFile
{
    /// <summary>The largest key file read, in bytes: 64 hex digits and some white space (anything larger is not a key file).</summary>
    public const int MaxSizeBytes = 1024;

    private const int SeedSizeBytes = 32;
    private const int HexDigits = 2 * SeedSizeBytes;

    // Group and other permission bits: any of them makes a key file too open, as for ssh's private keys.
    private const UnixFileMode GroupOrOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>
    /// Writes <paramref name="key"/>'s seed to a new file at <paramref name="path"/>, created with mode 600 on Unix
    /// (never readable by others, not even for a moment), creating the parent directory (mode 700) when missing.
    /// Never overwrites a file: a key that exists may be the only copy of a validator's identity.
    /// </summary>
    /// <param name="path">The new file.</param>
    /// <param name="key">An Ed25519 key.</param>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, or <paramref name="key"/> is not an Ed25519 key.</exception>
    /// <exception cref="IOException">The file already exists, or it cannot be written.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="key"/> has been disposed.</exception>
    public static void Write(string path, PrivateKey key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(key);
        if (key.Algorithm != SignatureAlgorithm.Ed25519)
        {
            throw new ArgumentException($"A key file holds an Ed25519 seed; this is a {key.Algorithm} key.", nameof(key));
        }

        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0 };
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory!);
        }
        else
        {
            Directory.CreateDirectory(directory!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        Span<byte> seed = stackalloc byte[SeedSizeBytes];
        Span<byte> text = stackalloc byte[HexDigits + 1];
        try
        {
            key.ExportPrivateKey(seed);
            Convert.TryToHexStringLower(seed, text, out _);
            text[HexDigits] = (byte)'\n';
            using var stream = File.Open(path, options);
            stream.Write(text);
            stream.Flush(flushToDisk: true);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
            CryptographicOperations.ZeroMemory(text);
        }
    }

    /// <summary>
    /// Reads the key in <paramref name="path"/>. On Unix the file must be accessible by its owner only; otherwise it
    /// is refused, with the <c>chmod</c> that fixes it. White space around the hex digits is ignored.
    /// </summary>
    /// <param name="path">The key file.</param>
    /// <returns>The key; the caller disposes it.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="KeyFileException">The file is missing, unreadable, too open, or not a hex 32-byte seed; the message names the file.</exception>
    public static PrivateKey Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        byte[] content = ReadContent(path);
        Span<byte> seed = stackalloc byte[SeedSizeBytes];
        try
        {
            var digits = content.AsSpan().Trim(" \t\r\n"u8);
            if (digits.Length != HexDigits)
            {
                throw NotASeed(path, $"it holds {digits.Length} characters");
            }

            if (Convert.FromHexString(digits, seed, out _, out int written) != OperationStatus.Done || written != SeedSizeBytes)
            {
                throw NotASeed(path, "it holds a character that is not a hex digit");
            }

            return SignatureSchemes.Ed25519.ImportPrivateKey(seed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
            CryptographicOperations.ZeroMemory(content);
        }
    }

    private static byte[] ReadContent(string path)
    {
        try
        {
            // Unbuffered, so the only copy of the bytes is the array the caller wipes.
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
            if (!OperatingSystem.IsWindows())
            {
                // Checked on the open handle, so the file judged is the file read.
                var mode = File.GetUnixFileMode(stream.SafeFileHandle);
                if ((mode & GroupOrOthers) != 0)
                {
                    throw new KeyFileException(path, KeyFileProblem.TooOpen,
                        $"Key file {path} is accessible by group or others (mode {Convert.ToString((int)mode, 8)}); a private key must be readable by its owner only: run chmod 600 '{path}'.");
                }
            }

            if (stream.Length > MaxSizeBytes)
            {
                throw NotASeed(path, $"it is larger than {MaxSizeBytes} bytes");
            }

            var content = new byte[stream.Length];
            stream.ReadExactly(content);
            return content;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new KeyFileException(path, KeyFileProblem.Missing, $"Key file {path} does not exist.", e);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new KeyFileException(path, KeyFileProblem.Unreadable, $"Key file {path} cannot be read: {e.Message}", e);
        }
    }

    private static KeyFileException NotASeed(string path, string detail) =>
        new(path, KeyFileProblem.NotASeed, $"Key file {path} does not hold a 32-byte Ed25519 seed as 64 hex digits: {detail}.");
}
