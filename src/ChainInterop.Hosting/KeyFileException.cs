namespace ChainInterop.Hosting;

/// <summary>Why a key file could not be used.</summary>
public enum KeyFileProblem
{
    /// <summary>The file does not exist.</summary>
    Missing,

    /// <summary>The file does not hold a 32-byte Ed25519 seed as 64 hex digits.</summary>
    NotASeed,

    /// <summary>On Unix, group or others have access to the file; it must be mode 600 (owner read and write only).</summary>
    TooOpen,

    /// <summary>The file exists but cannot be read (a directory, no permission, an I/O error).</summary>
    Unreadable,
}

/// <summary>A key file could not be read as a private key (<see cref="KeyFile.Read"/>); the message names the file and the cause.</summary>
public sealed class KeyFileException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The key file.</param>
    /// <param name="problem">Why it could not be used.</param>
    /// <param name="message">The full message, naming the file.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public KeyFileException(string path, KeyFileProblem problem, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Path = path;
        Problem = problem;
    }

    /// <summary>Creates the exception with a message only (prefer the detailed constructor).</summary>
    public KeyFileException()
        : this("", KeyFileProblem.Unreadable, "The key file could not be used.")
    {
    }

    /// <summary>Creates the exception with a message only (prefer the detailed constructor).</summary>
    /// <param name="message">The message.</param>
    public KeyFileException(string message)
        : this("", KeyFileProblem.Unreadable, message)
    {
    }

    /// <summary>Creates the exception with a message and cause only (prefer the detailed constructor).</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public KeyFileException(string message, Exception innerException)
        : this("", KeyFileProblem.Unreadable, message, innerException)
    {
    }

    /// <summary>The key file, as given.</summary>
    public string Path { get; }

    /// <summary>Why it could not be used.</summary>
    public KeyFileProblem Problem { get; }
}
