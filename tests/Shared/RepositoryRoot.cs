using System.Xml.Linq;

namespace ChainInterop.Testing;

/// <summary>Locates files of the repository from a running test (linked into every test project).</summary>
internal static class RepositoryRoot
{
    /// <summary>The directory holding ChainInterop.sln.</summary>
    public static string Path { get; } = Find();

    /// <summary>The names of the projects that src/<paramref name="project"/> references.</summary>
    public static IReadOnlyList<string> ProjectReferencesOf(string project)
    {
        var csproj = XDocument.Load(System.IO.Path.Combine(Path, "src", project, project + ".csproj"));
        return csproj.Descendants("ProjectReference")
            .Select(r => System.IO.Path.GetFileNameWithoutExtension((string)r.Attribute("Include")!))
            .ToArray();
    }

    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "ChainInterop.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("ChainInterop.sln not found above " + AppContext.BaseDirectory);
    }
}
