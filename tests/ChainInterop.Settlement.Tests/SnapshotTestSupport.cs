using System.Buffers;
using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Consensus;
using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Tests;

/// <summary>
/// Makes the committed blocks of one chain as consensus hands them to an application: heights from 1, each block
/// linked to the previous, every entry a signed <see cref="ClientRequest"/> with a fresh timestamp.
/// </summary>
internal sealed class CommittedBlockWriter(ChainId chain, PrivateKey proposer)
{
    private readonly NodeId _proposer = NodeId.FromPublicKey(proposer.PublicKey);
    private ulong _height;
    private ulong _timestamp;
    private Hash256 _previous;

    /// <summary>The height of the last block made.</summary>
    public ulong Height => _height;

    /// <summary>An entry: a request signed by <paramref name="submitter"/> carrying <paramref name="payload"/>.</summary>
    public byte[] Request(PrivateKey submitter, ReadOnlySpan<byte> payload) =>
        Canonical.Encode(ClientRequest.Create(submitter, chain, ++_timestamp, payload));

    /// <summary>The next block, at <paramref name="timeUnixMs"/>, with the entries decoded as consensus would.</summary>
    public CommittedBlock Next(long timeUnixMs, params byte[][] entries)
    {
        var block = Block.Create(chain, ++_height, _previous, timeUnixMs, _proposer, 0, entries.Select(e => (ReadOnlyMemory<byte>)e));
        _previous = block.Hash;
        return CommittedBlock.Decode(block);
    }
}

/// <summary>Checks shared by the applications' checkpoint tests (C5).</summary>
internal static class SnapshotAssert
{
    /// <summary>The application's snapshot bytes.</summary>
    public static byte[] Snapshot(IChainApplication application)
    {
        var buffer = new ArrayBufferWriter<byte>();
        application.WriteSnapshot(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Two executions of one block are byte-identical: every result and every cross-chain message.</summary>
    public static void SameExecution(BlockExecution expected, BlockExecution actual, ulong height)
    {
        Assert.Equal(expected.Results.Count, actual.Results.Count);
        for (int i = 0; i < expected.Results.Count; i++)
        {
            Assert.True(expected.Results[i].Span.SequenceEqual(actual.Results[i].Span), $"result {i} of block {height} differs");
        }

        Assert.Equal(expected.Outbound.Select(Canonical.Encode), actual.Outbound.Select(Canonical.Encode));
    }

    /// <summary>Restoring <paramref name="bytes"/> throws <see cref="CodecException"/> and leaves <paramref name="target"/> as it was.</summary>
    public static CodecException Refused(IChainApplication target, ulong height, byte[] bytes)
    {
        var before = Snapshot(target);
        var thrown = Assert.Throws<CodecException>(() => target.RestoreSnapshot(height, bytes));
        Assert.Equal(before, Snapshot(target));
        return thrown;
    }
}
