using ChainInterop.Blocks;
using ChainInterop.Crypto;
using Microsoft.Extensions.Logging;

namespace ChainInterop.Consensus.Hosting;

/// <summary>Builds the replica of the consensus engine chosen for a chain (PBFT, single authority…), from the store's tip after a restart.</summary>
/// <param name="options">The replica's options.</param>
/// <param name="key">The node's key.</param>
/// <param name="lastCommitted">The last block in the chain's store, or null for a new chain.</param>
/// <param name="loggerFactory">Loggers for the engine.</param>
/// <returns>The replica.</returns>
public delegate IReplica ReplicaFactory(ReplicaOptions options, PrivateKey key, Block? lastCommitted, ILoggerFactory loggerFactory);
