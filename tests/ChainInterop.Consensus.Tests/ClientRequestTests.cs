using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Consensus.Tests;

public class ClientRequestTests
{
    private static readonly ChainId Chain = new("ppc-bank-a");

    private static PrivateKey Key(byte seed) => SignatureSchemes.Ed25519.ImportPrivateKey(Enumerable.Repeat(seed, 32).ToArray());

    [Fact]
    public void A_signed_request_verifies_and_round_trips_the_codec_C1_C2_K2()
    {
        using var client = Key(1);
        var request = ClientRequest.Create(client, Chain, 7, "transfer 100"u8);
        Assert.True(request.VerifySignature());
        var bytes = Canonical.Encode(request);
        var decoded = Canonical.Decode<ClientRequest>(bytes);
        Assert.Equal(request.Digest, decoded.Digest);
        Assert.True(decoded.VerifySignature());
        Assert.Equal(bytes, Canonical.Encode(decoded));
    }

    [Fact]
    public void Any_changed_byte_of_a_request_breaks_its_signature_or_its_encoding_C1()
    {
        using var client = Key(2);
        var bytes = Canonical.Encode(ClientRequest.Create(client, Chain, 1, "pay bank-b 5.00"u8));
        for (int i = 0; i < bytes.Length; i++)
        {
            var copy = (byte[])bytes.Clone();
            copy[i] ^= 0x04;
            try
            {
                Assert.False(Canonical.Decode<ClientRequest>(copy).VerifySignature(), $"byte {i}");
            }
            catch (CodecException)
            {
                // Not even a request any more: also rejected.
            }
        }
    }

    [Fact]
    public void A_client_accepts_a_result_after_f_plus_1_matching_signed_replies_K2()
    {
        var keys = Enumerable.Range(10, 4).Select(i => Key((byte)i)).ToArray();
        using var client = Key(3);
        var validators = new ValidatorSet(keys.Select(k => k.PublicKey));
        var request = ClientRequest.Create(client, Chain, 5, "x"u8);
        var collector = new ReplyCollector(validators, request);

        // A Byzantine replica's lie (another height) and a stranger's reply do not count.
        Assert.False(collector.Add(ClientReply.Create(keys[0], request, height: 99, entryIndex: 0)));
        using var stranger = Key(77);
        Assert.False(collector.Add(ClientReply.Create(stranger, request, 3, 0)));

        Assert.False(collector.Add(ClientReply.Create(keys[1], request, 3, 0)));
        Assert.False(collector.Add(ClientReply.Create(keys[1], request, 3, 0))); // same replica twice
        Assert.True(collector.Add(ClientReply.Create(keys[2], request, 3, 0)));   // f + 1 = 2 matching
        Assert.Equal(3ul, collector.Accepted!.Height);

        var other = ClientRequest.Create(client, Chain, 6, "y"u8);
        Assert.False(new ReplyCollector(validators, other).Add(ClientReply.Create(keys[3], request, 3, 0)));
        foreach (var key in keys)
        {
            key.Dispose();
        }
    }

    [Fact]
    public void A_forged_reply_signature_is_ignored_K2()
    {
        var keys = Enumerable.Range(20, 4).Select(i => Key((byte)i)).ToArray();
        using var client = Key(4);
        var validators = new ValidatorSet(keys.Select(k => k.PublicKey));
        var request = ClientRequest.Create(client, Chain, 1, "z"u8);
        var genuine = Canonical.Encode(ClientReply.Create(keys[0], request, 1, 0));
        genuine[^1] ^= 0x01;
        Assert.False(new ReplyCollector(validators, request).Add(Canonical.Decode<ClientReply>(genuine)));
        Assert.False(Canonical.Decode<ClientReply>(genuine).Verify(keys[0].PublicKey));
        foreach (var key in keys)
        {
            key.Dispose();
        }
    }

    [Fact]
    public void One_signature_covers_a_blocks_replies_with_their_results_and_each_verifies_only_with_its_own_proof_K2()
    {
        using var replica = Key(30);
        var clients = Enumerable.Range(60, 7).Select(i => Key((byte)i)).ToArray();
        var requests = clients.Select((c, i) => ClientRequest.Create(c, Chain, 1, [(byte)i])).ToArray();
        var replies = ClientReply.CreateSigned(replica, NodeId.FromPublicKey(replica.PublicKey), 9, requests.Select((r, i) => (r, i, (ReadOnlyMemory<byte>)new byte[] { (byte)i })).ToArray());

        Assert.Equal(7, replies.Length);
        Assert.All(replies, r => Assert.True(r.Verify(replica.PublicKey)));
        Assert.Single(replies.Select(r => Convert.ToHexString(r.Signature.Span)).Distinct());
        Assert.All(replies, r => Assert.True(Canonical.Decode<ClientReply>(Canonical.Encode(r)).Verify(replica.PublicKey)));
        Assert.All(replies.Select((r, i) => (r, i)), x => Assert.Equal([(byte)x.i], Canonical.Decode<ClientReply>(Canonical.Encode(x.r)).Result.ToArray()));

        // The result is part of the outcome clients compare: the same entry with another result does not match.
        var other = ClientReply.Create(replica, requests[3], 9, 3, new byte[] { 99 });
        Assert.NotEqual(replies[3].Outcome, other.Outcome);
        Assert.Equal(replies[3].Outcome, ClientReply.Create(replica, requests[3], 9, 3, new byte[] { 3 }).Outcome);

        // Flipping any byte of an encoded reply (outcome, proof or signature) makes it fail or fail to decode.
        var encoded = Canonical.Encode(replies[3]);
        for (int i = 0; i < encoded.Length; i++)
        {
            var tampered = (byte[])encoded.Clone();
            tampered[i] ^= 0x20;
            ClientReply? decoded;
            try
            {
                decoded = Canonical.Decode<ClientReply>(tampered);
            }
            catch (CodecException)
            {
                continue;
            }

            Assert.False(decoded.Verify(replica.PublicKey), $"byte {i}");
        }

        foreach (var key in clients)
        {
            key.Dispose();
        }
    }
}

public class TrustedTransportReplyTests
{
    private static readonly ChainId Chain = new("ppc-bank-a");

    private static PrivateKey Key(byte seed) => SignatureSchemes.Ed25519.ImportPrivateKey(Enumerable.Repeat(seed, 32).ToArray());

    [Fact]
    public void Unsigned_replies_count_only_when_the_client_trusts_its_channel_K2()
    {
        var keys = Enumerable.Range(40, 4).Select(i => Key((byte)i)).ToArray();
        using var client = Key(5);
        var validators = new ValidatorSet(keys.Select(k => k.PublicKey));
        var request = ClientRequest.Create(client, Chain, 1, "x"u8);

        var strict = new ReplyCollector(validators, request);
        Assert.False(strict.Add(ClientReply.CreateUnsigned(NodeId.FromPublicKey(keys[0].PublicKey), request, 1, 0)));
        Assert.False(strict.Add(ClientReply.CreateUnsigned(NodeId.FromPublicKey(keys[1].PublicKey), request, 1, 0)));
        Assert.Null(strict.Accepted);

        var trusting = new ReplyCollector(validators, request, ClientAuthentication.TrustedTransport);
        Assert.False(trusting.Add(ClientReply.CreateUnsigned(NodeId.FromPublicKey(keys[0].PublicKey), request, 1, 0)));
        Assert.True(trusting.Add(ClientReply.Create(keys[1], request, 1, 0))); // signed replies still count
        Assert.False(ClientReply.CreateUnsigned(NodeId.FromPublicKey(keys[2].PublicKey), request, 1, 0).IsSigned);
        foreach (var key in keys)
        {
            key.Dispose();
        }
    }
}
