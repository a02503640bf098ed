using ChainInterop.Blocks;
using ChainInterop.Crypto;
using ChainInterop.Storage;
using Microsoft.Extensions.Logging;

namespace ChainInterop.Consensus.Hosting;

/// <summary>What an engine needs to build (or rebuild, after a restart) a chain's replica.</summary>
/// <param name="Options">The replica's options.</param>
/// <param name="Key">The node's key.</param>
/// <param name="Store">The chain's committed blocks (engines with replicated selection state replay them).</param>
/// <param name="LastCommitted">The last block in the store, or null for a new chain.</param>
/// <param name="Loggers">Loggers for the engine.</param>
/// <param name="Application">The chain's application (this validator's copy); null for <see cref="OrderingOnlyApplication"/>.</param>
/// <remarks>The replica is built, not yet replayed: its driver replays the store into it (<see cref="IReplica.Replay"/>, as <see cref="ReplicaHost"/> does on start).</remarks>
public sealed record ReplicaContext(ReplicaOptions Options, PrivateKey Key, IBlockStore Store, Block? LastCommitted, ILoggerFactory Loggers, IChainApplication? Application = null);

/// <summary>Builds the replica of the consensus engine chosen for a chain (PBFT, CBFT, single authority).</summary>
/// <param name="context">The chain, key and store.</param>
/// <param name="cancellationToken">Cancels reading the store.</param>
/// <returns>The replica.</returns>
public delegate ValueTask<IReplica> ReplicaFactory(ReplicaContext context, CancellationToken cancellationToken);
