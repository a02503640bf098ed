using System.Reflection;
using System.Runtime.InteropServices;

namespace ChainInterop.Crypto;

/// <summary>
/// Owns the assembly's single <see cref="NativeLibrary.SetDllImportResolver"/> registration. P/Invoke declarations use
/// a logical library name (e.g. <see cref="Sodium"/>); the resolver maps it to the first file name that loads on
/// this operating system. Add new native libraries to <see cref="CandidateNames"/>, never a second resolver.
/// </summary>
internal static class NativeLibraries
{
    /// <summary>The logical name used by libsodium P/Invoke declarations.</summary>
    internal const string Sodium = "libsodium";

    private static readonly object Gate = new();
    private static readonly Dictionary<string, nint> Loaded = new(StringComparer.Ordinal);
    private static bool s_registered;

    /// <summary>Registers the resolver for this assembly once; safe to call from any thread, any number of times.</summary>
    internal static void EnsureResolverRegistered()
    {
        lock (Gate)
        {
            if (s_registered)
            {
                return;
            }

            try
            {
                NativeLibrary.SetDllImportResolver(typeof(NativeLibraries).Assembly, Resolve);
            }
            catch (InvalidOperationException)
            {
                // A resolver is already registered for the assembly (by a host); it takes precedence.
            }

            s_registered = true;
        }
    }

    /// <summary>File names to try for a logical library name, most specific first, for the running OS.</summary>
    internal static IReadOnlyList<string> CandidateNames(string libraryName)
    {
        if (libraryName != Sodium)
        {
            return [];
        }

        if (OperatingSystem.IsWindows())
        {
            return ["libsodium.dll", "sodium.dll", "libsodium", "sodium"];
        }

        if (OperatingSystem.IsMacOS() || OperatingSystem.IsIOS() || OperatingSystem.IsMacCatalyst())
        {
            return ["libsodium.26.dylib", "libsodium.23.dylib", "libsodium.dylib", "libsodium", "sodium"];
        }

        return ["libsodium.so.23", "libsodium.so.26", "libsodium.so", "libsodium", "sodium"];
    }

    /// <summary>Loads <paramref name="libraryName"/> by its candidate names; the handle is cached for the process.</summary>
    /// <param name="libraryName">A logical name such as <see cref="Sodium"/>.</param>
    /// <param name="handle">The handle, or zero.</param>
    /// <returns>Whether some candidate loaded.</returns>
    internal static bool TryLoad(string libraryName, out nint handle) =>
        TryLoad(libraryName, typeof(NativeLibraries).Assembly, null, out handle);

    private static bool TryLoad(string libraryName, Assembly assembly, DllImportSearchPath? searchPath, out nint handle)
    {
        lock (Gate)
        {
            if (Loaded.TryGetValue(libraryName, out handle))
            {
                return handle != 0;
            }

            handle = 0;
            foreach (string candidate in CandidateNames(libraryName))
            {
                if (NativeLibrary.TryLoad(candidate, assembly, searchPath, out handle))
                {
                    break;
                }
            }

            // A failed lookup is cached too: probing the file system on every call would be slow and pointless.
            Loaded[libraryName] = handle;
            return handle != 0;
        }
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        TryLoad(libraryName, assembly, searchPath, out nint handle) ? handle : 0;
}
