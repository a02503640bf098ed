using System.Runtime.InteropServices;

namespace ChainInterop.Storage;

/// <summary>
/// Makes a directory's entries (a newly created segment file) durable. On Linux and macOS this is
/// <c>open(dir, O_RDONLY) + fsync + close</c> through libc, because .NET refuses to open a directory as a file
/// handle. On Windows there is no directory fsync; NTFS journals the creation of the file, and the file's own
/// flush makes its metadata durable, so this is a no-op there.
/// </summary>
internal static partial class DirectorySync
{
    /// <summary>Fsyncs <paramref name="directory"/> where the OS supports it.</summary>
    /// <param name="directory">The directory.</param>
    /// <exception cref="IOException">The OS reported an error.</exception>
    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        int fd = Native.Open(directory, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            throw new IOException($"Cannot open directory {directory} to fsync it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Native.Fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory {directory} failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Native.Close(fd);
        }
    }

    private static partial class Native
    {
        [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int Open(string path, int flags);

        [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
        internal static partial int Fsync(int fd);

        [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
        internal static partial int Close(int fd);
    }
}
