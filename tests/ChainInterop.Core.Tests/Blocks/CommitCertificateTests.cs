using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Tests.Blocks;

public class CommitCertificateTests
{
    [Fact]
    public void A_quorum_of_valid_signatures_certifies_the_header_C3()
    {
        using var chain = new TestChain();
        var block = chain.Append();
        Assert.True(block.Certificate!.Verify(block.Header, chain.Validators).IsValid);
        Assert.Equal(chain.Validators.Quorum, block.Certificate.Signatures.Count);
    }

    [Fact]
    public void Fewer_than_a_quorum_is_insufficient_C3()
    {
        using var chain = new TestChain();
        var block = chain.Append();
        var short1 = CommitCertificate.Sign(block.Header, chain.Keys.Take(chain.Validators.Quorum - 1));
        var result = short1.Verify(block.Header, chain.Validators);
        Assert.Equal(VerificationFailure.InsufficientSignatures, result.Failure);
        Assert.Equal(block.Height, result.Height);
    }

    [Fact]
    public void A_signature_from_outside_the_validator_set_fails_the_certificate_C3()
    {
        using var chain = new TestChain();
        using var stranger = SignatureSchemes.Ed25519.GenerateKey();
        var block = chain.Append();
        var certificate = CommitCertificate.Sign(block.Header, chain.Keys.Append(stranger));
        Assert.Equal(VerificationFailure.UnknownSigner, certificate.Verify(block.Header, chain.Validators).Failure);
    }

    [Fact]
    public void One_bad_signature_fails_the_certificate_even_when_the_rest_reach_a_quorum_C3()
    {
        using var chain = new TestChain();
        var block = chain.Append();
        var signatures = chain.Keys.Select(k => CommitSignature.Create(k, block.Hash)).ToList();
        var forged = signatures[0].Signature.ToArray();
        forged[5] ^= 0x20;
        signatures[0] = new CommitSignature(signatures[0].Signer, forged);
        var certificate = CommitCertificate.Create(block.Hash, signatures);
        Assert.Equal(VerificationFailure.InvalidSignature, certificate.Verify(block.Header, chain.Validators).Failure);
    }

    [Fact]
    public void A_certificate_for_another_header_does_not_certify_this_one_C3()
    {
        using var chain = new TestChain();
        var first = chain.Append();
        var second = chain.Append();
        Assert.Equal(VerificationFailure.CertificateHeaderMismatch, first.Certificate!.Verify(second.Header, chain.Validators).Failure);
        Assert.Throws<ArgumentException>(() => second.WithCertificate(first.Certificate));
    }

    [Fact]
    public void A_signer_may_appear_only_once_C3()
    {
        using var chain = new TestChain();
        var block = chain.Append();
        var signature = CommitSignature.Create(chain.Keys[0], block.Hash);
        Assert.Throws<ArgumentException>(() => CommitCertificate.Create(block.Hash, [signature, signature]));
    }

    [Fact]
    public void Certificates_encode_canonically_and_reject_unsorted_signers_C2_C3()
    {
        using var chain = new TestChain();
        var block = chain.Append();
        var bytes = Canonical.Encode(block.Certificate!);
        var decoded = Canonical.Decode<CommitCertificate>(bytes);
        Assert.Equal(bytes, Canonical.Encode(decoded));
        Assert.True(decoded.Verify(block.Header, chain.Validators).IsValid);

        // Hand-write the same signatures in descending signer order: not the canonical form.
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new CanonicalWriter(buffer);
        writer.WriteArrayHeader(2);
        writer.WriteHash256(block.Hash);
        writer.WriteArrayHeader(decoded.Signatures.Count);
        foreach (var s in decoded.Signatures.Reverse())
        {
            writer.WriteArrayHeader(2);
            writer.WriteNodeId(s.Signer);
            writer.WriteBinary(s.Signature);
        }

        var error = Assert.Throws<CodecException>(() => Canonical.Decode<CommitCertificate>(buffer.WrittenMemory));
        Assert.Equal(CodecError.NonCanonical, error.Error);
    }

    [Fact]
    public void ECDSA_P256_validators_certify_blocks_too_C1_C3()
    {
        using var chain = new TestChain(validatorCount: 4, scheme: SignatureSchemes.EcdsaP256);
        chain.Append();
        chain.Append();
        Assert.True(ChainVerifier.Verify(chain.ChainId, chain.Validators, chain.Blocks).IsValid);
    }
}
