using ChainInterop.Testing;

namespace ChainInterop.Hosting.Tests;

/// <summary>ARCHITECTURE.md: dependencies point one way, Hosting → Settlement → Consensus → Core.</summary>
public class PackageDependencyTests
{
    [Fact]
    public void Hosting_depends_on_Settlement_only_and_reaches_the_rest_through_it() =>
        Assert.Equal(["ChainInterop.Settlement"], RepositoryRoot.ProjectReferencesOf("ChainInterop.Hosting"));
}
