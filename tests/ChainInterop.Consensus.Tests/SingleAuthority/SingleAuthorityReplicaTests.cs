using System.Security.Cryptography;
using System.Text;
using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Consensus.SingleAuthority;
using ChainInterop.Crypto;

namespace ChainInterop.Consensus.Tests.SingleAuthority;

public sealed class SingleAuthorityReplicaTests : IDisposable
{
    private const long Now = 1_767_225_600_000;
    private static readonly ChainId Chain = new("sa-test");

    private readonly PrivateKey _authorityKey = Key("authority");
    private readonly PrivateKey _followerKey = Key("follower");
    private readonly PrivateKey _clientKey = Key("client");
    private readonly ValidatorSet _validators;

    public SingleAuthorityReplicaTests() => _validators = new ValidatorSet([_authorityKey.PublicKey]);

    public void Dispose()
    {
        _authorityKey.Dispose();
        _followerKey.Dispose();
        _clientKey.Dispose();
    }

    [Fact]
    public void Needs_exactly_one_validator()
    {
        using var other = Key("other");
        var options = new ReplicaOptions { ChainId = Chain, Validators = new ValidatorSet([_authorityKey.PublicKey, other.PublicKey], 0) };
        Assert.Throws<ArgumentException>(() => new SingleAuthorityReplica(options, _authorityKey, null));
    }

    [Fact]
    public void Authority_commits_a_full_batch_signed_alone_and_replies()
    {
        var authority = Authority(maxBatch: 2);
        var effects = new RecordingEffects();
        authority.Start(Now, effects);
        var first = Request(1);
        var second = Request(2, Key("client-2"));
        authority.OnClientRequest(first, Now, effects);
        Assert.Empty(effects.Commits);
        authority.OnClientRequest(second, Now, effects);

        var block = Assert.Single(effects.Commits);
        Assert.True(block.Verify(_validators).IsValid);
        Assert.Equal(0UL, block.Height);
        Assert.Equal(Canonical.Encode(first), block.Entries[0].ToArray());
        Assert.Equal(Canonical.Encode(second), block.Entries[1].ToArray());
        Assert.Equal(0UL, authority.CommittedHeight);

        var collector = new ReplyCollector(_validators, first);
        Assert.True(collector.Add(effects.Replies[0]));
        Assert.Equal((0UL, 0), (collector.Accepted!.Height, collector.Accepted.EntryIndex));
    }

    [Fact]
    public void Batch_timer_closes_a_partial_batch()
    {
        var authority = Authority(maxBatch: 10);
        var effects = new RecordingEffects();
        authority.OnClientRequest(Request(1), Now, effects);
        Assert.Empty(effects.Commits);
        Assert.Contains(effects.Timers, t => t.Timer.Kind == ReplicaTimerKind.Batch);

        authority.OnTimer(new ReplicaTimer(ReplicaTimerKind.Batch), Now + 5, effects);
        Assert.Single(Assert.Single(effects.Commits).Entries);
    }

    [Fact]
    public void A_request_executes_once_and_a_resend_gets_the_same_reply()
    {
        var authority = Authority(maxBatch: 1);
        var effects = new RecordingEffects();
        var request = Request(5);
        authority.OnClientRequest(request, Now, effects);
        authority.OnClientRequest(request, Now + 1, effects);
        authority.OnClientRequest(Request(4), Now + 2, effects); // older timestamp: stale, ignored

        Assert.Single(effects.Commits);
        Assert.Equal(2, effects.Replies.Count);
        Assert.Equal(effects.Replies[0].Outcome, effects.Replies[1].Outcome);
    }

    [Fact]
    public void Requests_with_bad_signatures_or_for_other_chains_are_dropped()
    {
        var authority = Authority(maxBatch: 1);
        var effects = new RecordingEffects();
        byte[] encoded = Canonical.Encode(Request(1));
        encoded[^1] ^= 1; // last signature byte
        authority.OnClientRequest(Canonical.Decode<ClientRequest>(encoded), Now, effects);
        authority.OnClientRequest(ClientRequest.Create(_clientKey, new ChainId("other"), 2, "x"u8), Now, effects);
        Assert.Empty(effects.Commits);
    }

    [Fact]
    public void Follower_forwards_requests_and_catches_up_by_signed_sync()
    {
        var authority = Authority(maxBatch: 1);
        var follower = Follower();
        var authorityEffects = new RecordingEffects();
        var followerEffects = new RecordingEffects();
        follower.Start(Now, followerEffects);
        Assert.False(follower.IsAuthority);

        follower.OnClientRequest(Request(1), Now, followerEffects);
        var (to, forward) = followerEffects.Sent[^1];
        Assert.Equal(authority.Id, to);
        authority.OnMessage(follower.Id, forward, Now, authorityEffects);
        Assert.Single(authorityEffects.Commits);

        // The follower's sync request (sent at start) asks from height 0; the authority loads and answers.
        var (_, sync) = followerEffects.Sent[0];
        authority.OnMessage(follower.Id, sync, Now, authorityEffects);
        var load = Assert.Single(authorityEffects.Loads);
        Assert.Equal((follower.Id, 0UL), (load.Requester, load.FromHeight));
        authority.OnBlocksLoaded(follower.Id, authorityEffects.Commits, Now, authorityEffects);
        var (toFollower, blocks) = authorityEffects.Sent[^1];
        Assert.Equal(follower.Id, toFollower);

        follower.OnMessage(authority.Id, blocks, Now, followerEffects);
        Assert.Equal(authorityEffects.Commits[0].Hash, Assert.Single(followerEffects.Commits).Hash);
        Assert.Equal(0UL, follower.CommittedHeight);

        // The same blocks again (a duplicate message) are not delivered twice.
        follower.OnMessage(authority.Id, blocks, Now, followerEffects);
        Assert.Single(followerEffects.Commits);

        // Having asked, the follower is pushed every new block.
        authority.OnClientRequest(Request(2), Now, authorityEffects);
        follower.OnMessage(authority.Id, authorityEffects.Sent[^1].Message, Now, followerEffects);
        Assert.Equal(2, followerEffects.Commits.Count);
    }

    [Fact]
    public void Follower_rejects_blocks_not_signed_by_the_authority()
    {
        var follower = Follower();
        var effects = new RecordingEffects();

        // A block certified by the follower's own key, sent under the authority's name.
        var block = Block.Create(Chain, 0, Hash256.Zero, Now, NodeId.FromPublicKey(_authorityKey.PublicKey), 0, [new byte[] { 1 }]);
        block = block.WithCertificate(CommitCertificate.Sign(block.Header, [_followerKey]));
        var forged = SingleAuthorityMessage.EncodeBlocks(Chain, [block], _followerKey);
        follower.OnMessage(NodeId.FromPublicKey(_authorityKey.PublicKey), forged, Now, effects);

        // Signed as the authority, but the block's certificate is still wrong.
        var wrapped = SingleAuthorityMessage.EncodeBlocks(Chain, [block], _authorityKey);
        follower.OnMessage(NodeId.FromPublicKey(_authorityKey.PublicKey), wrapped, Now, effects);

        // A genuine message from someone who is not the authority.
        var genuine = Authority(maxBatch: 1);
        var authorityEffects = new RecordingEffects();
        genuine.OnClientRequest(Request(1), Now, authorityEffects);
        follower.OnMessage(follower.Id, SingleAuthorityMessage.EncodeBlocks(Chain, authorityEffects.Commits, _authorityKey), Now, effects);

        Assert.Empty(effects.Commits);
        Assert.Null(follower.CommittedHeight);
    }

    [Fact]
    public void Restarted_authority_rebuilds_its_client_table_by_replaying_its_store_before_proposing_K1()
    {
        var authority = Authority(maxBatch: 1);
        var effects = new RecordingEffects();
        var request = Request(7);
        authority.OnClientRequest(request, Now, effects);
        var stored = effects.Commits.ToList();

        var unreplayed = new SingleAuthorityReplica(Options(1), _authorityKey, stored[^1]);
        Assert.Throws<InvalidOperationException>(() => unreplayed.Start(Now + 10, new RecordingEffects()));

        var restarted = new SingleAuthorityReplica(Options(1), _authorityKey, stored[^1]);
        foreach (var block in stored)
        {
            restarted.Replay(block);
        }

        var after = new RecordingEffects();
        restarted.Start(Now + 10, after);
        restarted.OnClientRequest(request, Now + 11, after);

        Assert.Empty(after.Commits); // executed before the crash: not again
        Assert.Equal(effects.Replies[0].Outcome, Assert.Single(after.Replies).Outcome);

        restarted.OnClientRequest(Request(8), Now + 13, after);
        Assert.Equal(1UL, Assert.Single(after.Commits).Height);
    }

    [Fact]
    public void Garbage_never_throws_or_changes_state()
    {
        var authority = Authority(maxBatch: 1);
        var follower = Follower();
        var effects = new RecordingEffects();
        var random = new Random(42);
        for (int i = 0; i < 500; i++)
        {
            var junk = new byte[random.Next(0, 200)];
            random.NextBytes(junk);
            if (junk.Length > 2)
            {
                junk[0] = 0x94;
                junk[1] = (byte)random.Next(1, 4);
            }

            authority.OnMessage(follower.Id, junk, Now, effects);
            follower.OnMessage(authority.Id, junk, Now, effects);
        }

        Assert.Empty(effects.Commits);
        Assert.Null(authority.CommittedHeight);
        Assert.Null(follower.CommittedHeight);
    }

    private SingleAuthorityReplica Authority(int maxBatch) => new(Options(maxBatch), _authorityKey, null);

    private SingleAuthorityReplica Follower() => new(Options(1), _followerKey, null);

    private ReplicaOptions Options(int maxBatch) => new() { ChainId = Chain, Validators = _validators, MaxBatchRequests = maxBatch };

    private ClientRequest Request(ulong timestamp, PrivateKey? client = null) =>
        ClientRequest.Create(client ?? _clientKey, Chain, timestamp, Encoding.UTF8.GetBytes($"payment {timestamp}"));

    private static PrivateKey Key(string name) =>
        SignatureSchemes.Ed25519.ImportPrivateKey(SHA256.HashData(Encoding.UTF8.GetBytes(name)));

    private sealed class RecordingEffects : IReplicaEffects
    {
        public List<(NodeId To, byte[] Message)> Sent { get; } = [];

        public List<(ReplicaTimer Timer, long DelayMs)> Timers { get; } = [];

        public List<Block> Commits { get; } = [];

        public List<(NodeId Requester, ulong FromHeight, int MaxCount)> Loads { get; } = [];

        public List<ClientReply> Replies { get; } = [];

        public void Send(NodeId recipient, ReadOnlyMemory<byte> message) => Sent.Add((recipient, message.ToArray()));

        public void Broadcast(ReadOnlyMemory<byte> message) => Sent.Add((default, message.ToArray()));

        public void SetTimer(ReplicaTimer timer, long delayMs) => Timers.Add((timer, delayMs));

        public void CancelTimer(ReplicaTimer timer) => Timers.RemoveAll(t => t.Timer == timer);

        public void Commit(CommittedBlock block, BlockExecution execution) => Commits.Add(block.Block);

        public void LoadBlocks(NodeId requester, ulong fromHeight, int maxCount) => Loads.Add((requester, fromHeight, maxCount));

        public void Reply(ClientReply reply) => Replies.Add(reply);
    }
}
