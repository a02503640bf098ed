using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Crypto;
using ChainInterop.Merkle;

namespace ChainInterop.Tests.Blocks;

public class HashRecordTests
{
    [Fact]
    public void Every_hash_record_of_a_certified_block_is_provably_included_C4()
    {
        using var chain = new TestChain();
        var block = chain.Append(entryCount: 1, recordCount: 9);
        for (int i = 0; i < block.HashRecords.Count; i++)
        {
            Assert.True(block.ProveHashRecord(i).Verify(chain.Validators).IsValid);
        }
    }

    [Fact]
    public void A_proof_for_a_record_that_was_not_written_fails_C4()
    {
        using var chain = new TestChain();
        var block = chain.Append(recordCount: 4);
        var proof = block.ProveHashRecord(2);
        var forged = proof with { Record = new HashRecord(proof.Record.Key, Hash256.Compute("altered document"u8)) };
        Assert.Equal(VerificationFailure.HashRecordsRootMismatch, forged.Verify(chain.Validators).Failure);

        var wrongIndex = proof with { Path = new MerkleProof(1, proof.Path.TreeSize, proof.Path.Path) };
        Assert.False(wrongIndex.Verify(chain.Validators).IsValid);
    }

    [Fact]
    public void A_proof_whose_header_is_not_certified_by_the_validators_fails_C4()
    {
        using var chain = new TestChain();
        using var otherChain = new TestChain(validatorCount: 7, scheme: SignatureSchemes.EcdsaP256);
        var proof = chain.Append(recordCount: 2).ProveHashRecord(0);
        Assert.Equal(VerificationFailure.UnknownSigner, proof.Verify(otherChain.Validators).Failure);
    }

    [Fact]
    public void Records_stay_provable_after_the_block_is_encoded_and_decoded_C4()
    {
        using var chain = new TestChain();
        var block = chain.Append(recordCount: 5);
        var reopened = Canonical.Decode<Block>(Canonical.Encode(block));
        var proof = reopened.ProveHashRecord(4);
        Assert.True(proof.Verify(chain.Validators).IsValid);
        Assert.Equal(block.HashRecords[4].Id, proof.Record.Id);
    }

    [Fact]
    public void A_record_can_link_to_an_earlier_record_and_the_link_is_part_of_its_identity_C4()
    {
        var first = new HashRecord("contract/42", Hash256.Compute("v1"u8));
        var second = new HashRecord("contract/42", Hash256.Compute("v2"u8), first.Id);
        var unlinked = new HashRecord("contract/42", Hash256.Compute("v2"u8));
        Assert.Equal(first.Id, second.Link);
        Assert.NotEqual(second.Id, unlinked.Id);
        Assert.Equal(second, Canonical.Decode<HashRecord>(Canonical.Encode(second)));
    }

    [Fact]
    public void Empty_keys_and_keys_that_are_not_valid_Unicode_are_refused_C4()
    {
        Assert.Throws<ArgumentException>(() => new HashRecord(string.Empty, Hash256.Zero));
        string loneSurrogate = new(['k', (char)0xD800]);
        Assert.Throws<ArgumentException>(() => new HashRecord(loneSurrogate, Hash256.Zero));
    }

    [Fact]
    public void Keys_longer_than_256_bytes_are_refused_C4()
    {
        Assert.NotNull(new HashRecord(new string('k', 256), Hash256.Zero));
        Assert.Throws<ArgumentException>(() => new HashRecord(new string('k', 257), Hash256.Zero));
        Assert.Throws<ArgumentException>(() => new HashRecord(new string('é', 129), Hash256.Zero));
    }
}
