using ChainInterop.Consensus.CrossChain;
using ChainInterop.Crypto;

namespace ChainInterop.Consensus.Tests.CrossChain;

/// <summary>
/// The one f + 1 tally of cross-chain messages (C6; seed 000 "vote after receiving"), shared by the relay's inbox and
/// the settlement executor's attestations.
/// </summary>
public class CrossChainQuorumTests
{
    private static readonly ChainId Source = new("bank-a");
    private static readonly Hash256 Content = Hash256.Compute("content"u8);
    private static readonly Hash256 Forged = Hash256.Compute("forged"u8);

    private static NodeId Voter(int i) => new(Hash256.Compute([(byte)i]));

    [Fact]
    public void F_plus_one_identical_votes_deliver_a_message_exactly_once_C6()
    {
        var quorum = new CrossChainQuorum([Source], sequenceWindow: 100);
        Assert.Equal(CrossChainVote.Counted, quorum.Vote(Source, 0, Voter(0), Content, quorum: 2, voterQuota: 10));
        Assert.Equal(CrossChainVote.Repeated, quorum.Vote(Source, 0, Voter(0), Content, 2, 10));
        Assert.Equal(CrossChainVote.Counted, quorum.Vote(Source, 0, Voter(1), Forged, 2, 10));
        Assert.Equal(CrossChainVote.Reached, quorum.Vote(Source, 0, Voter(2), Content, 2, 10));
        Assert.Equal(CrossChainVote.AlreadyDelivered, quorum.Vote(Source, 0, Voter(3), Content, 2, 10));
        Assert.True(quorum.IsDelivered(Source, 0));
        Assert.Equal(1UL, quorum.NextExpected(Source));
        Assert.Equal(0, quorum.PendingMessages);
    }

    [Fact]
    public void A_voter_that_changes_its_content_keeps_its_first_vote_C6()
    {
        var quorum = new CrossChainQuorum([Source], sequenceWindow: 100);
        quorum.Vote(Source, 0, Voter(0), Forged, 2, 10);
        Assert.Equal(CrossChainVote.Conflicting, quorum.Vote(Source, 0, Voter(0), Content, 2, 10));
        Assert.Equal(CrossChainVote.Counted, quorum.Vote(Source, 0, Voter(1), Content, 2, 10));
        Assert.False(quorum.IsDelivered(Source, 0));
    }

    [Fact]
    public void Votes_beyond_the_window_or_for_an_unregistered_source_are_refused_C6()
    {
        var quorum = new CrossChainQuorum([Source], sequenceWindow: 4);
        Assert.Equal(CrossChainVote.OutOfWindow, quorum.Vote(Source, 4, Voter(0), Content, 1, 10));
        Assert.Equal(CrossChainVote.Reached, quorum.Vote(Source, 3, Voter(0), Content, 1, 10));
        Assert.Equal(CrossChainVote.OutOfWindow, quorum.Vote(new ChainId("bank-z"), 0, Voter(0), Content, 1, 10));
        Assert.False(quorum.IsWithinWindow(new ChainId("bank-z"), 0));
        quorum.RestoreDelivered(Source, 3);
        Assert.Equal(4UL, quorum.NextExpected(Source)); // 3 was delivered early; 0..2 restored
        Assert.True(quorum.IsWithinWindow(Source, 7));
        Assert.False(quorum.IsWithinWindow(Source, 8));

        var open = new CrossChainQuorum(sources: null, sequenceWindow: 4);
        Assert.Equal(CrossChainVote.Reached, open.Vote(new ChainId("bank-z"), 0, Voter(0), Content, 1, 10));
    }

    [Fact]
    public void A_voters_waiting_votes_are_capped_and_given_back_when_their_message_is_delivered_C6()
    {
        var quorum = new CrossChainQuorum([Source], sequenceWindow: 100, maxPendingMessages: 3);
        Assert.Equal(CrossChainVote.Counted, quorum.Vote(Source, 0, Voter(0), Content, 2, voterQuota: 2));
        Assert.Equal(CrossChainVote.Counted, quorum.Vote(Source, 1, Voter(0), Content, 2, voterQuota: 2));
        Assert.Equal(CrossChainVote.LimitExceeded, quorum.Vote(Source, 2, Voter(0), Content, 2, voterQuota: 2));

        // Delivered elsewhere: the votes counted for sequence 0 are dropped and voter 0 may vote again.
        quorum.MarkDelivered(Source, 0);
        Assert.Equal(CrossChainVote.Counted, quorum.Vote(Source, 2, Voter(0), Content, 2, voterQuota: 2));
        Assert.Equal(CrossChainVote.Counted, quorum.Vote(Source, 3, Voter(1), Content, 2, voterQuota: 2));
        Assert.Equal(CrossChainVote.LimitExceeded, quorum.Vote(Source, 4, Voter(2), Content, 2, voterQuota: 2)); // 3 messages wait
        Assert.Equal(CrossChainVote.Reached, quorum.Vote(Source, 1, Voter(1), Content, 2, voterQuota: 2));
    }
}
