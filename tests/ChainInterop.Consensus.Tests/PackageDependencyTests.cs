using ChainInterop.Testing;

namespace ChainInterop.Consensus.Tests;

/// <summary>ARCHITECTURE.md: dependencies point one way, Settlement → Consensus → Core.</summary>
public class PackageDependencyTests
{
    [Fact]
    public void Core_depends_on_no_other_ChainInterop_package() =>
        Assert.Empty(RepositoryRoot.ProjectReferencesOf("ChainInterop.Core"));

    [Fact]
    public void Consensus_depends_on_Core_only() =>
        Assert.Equal(["ChainInterop.Core"], RepositoryRoot.ProjectReferencesOf("ChainInterop.Consensus"));
}
