using ChainInterop.Testing;

namespace ChainInterop.Settlement.Tests;

/// <summary>ARCHITECTURE.md: dependencies point one way, Settlement → Consensus → Core.</summary>
public class PackageDependencyTests
{
    [Fact]
    public void Settlement_depends_on_Consensus_only_and_reaches_Core_through_it() =>
        Assert.Equal(["ChainInterop.Consensus"], RepositoryRoot.ProjectReferencesOf("ChainInterop.Settlement"));
}
