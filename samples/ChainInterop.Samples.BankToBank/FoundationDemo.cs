using ChainInterop;
using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Samples.BankToBank;

/// <summary>
/// The foundation: two banks sign and verify a payment message, encode it canonically, and record it on a small
/// certified chain that anyone holding the validators' public keys can verify.
/// </summary>
internal static class FoundationDemo
{
    public static void Run()
    {
        var ed25519 = SignatureSchemes.Ed25519;
        Console.WriteLine($"Signature scheme: {ed25519.Name}");

        // 1. Two bank identities. Private keys are IDisposable: they are wiped from memory when disposed.
        using var bankA = ed25519.GenerateKey();
        using var bankB = ed25519.GenerateKey();
        Console.WriteLine($"Bank A node id {NodeId.FromPublicKey(bankA.PublicKey).ToShortString()}  key {bankA}");
        Console.WriteLine($"Bank B node id {NodeId.FromPublicKey(bankB.PublicKey).ToShortString()}  key {bankB}");

        // 2. Bank A writes a payment instruction; its canonical bytes are what it signs.
        var payment = new PaymentMessage(
            Payer: new InstitutionId("bank-a"),
            PayerAccount: new AccountId("bank-a:nostro-cny"),
            Payee: new InstitutionId("bank-b"),
            PayeeAccount: new AccountId("bank-b:vostro-cny"),
            Asset: new AssetCode("CNY"),
            Amount: Amount.FromMinorUnits(1_250_000_00),
            Reference: "INV-2026-11-0042",
            CreatedUnixMs: DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        byte[] encoded = Canonical.Encode(payment);
        byte[] signature = bankA.Sign(encoded);
        Console.WriteLine($"Payment {payment.Amount.ToDecimalString(2)} {payment.Asset} {payment.Payer} -> {payment.Payee}: {encoded.Length} canonical bytes, {signature.Length}-byte signature");

        // 3. Bank B decodes the bytes (any non-canonical or truncated input would be refused) and checks the signature.
        var received = Canonical.Decode<PaymentMessage>(encoded);
        bool genuine = bankA.PublicKey.Verify(encoded, signature);
        bool forgedByB = bankB.PublicKey.Verify(encoded, signature);
        Console.WriteLine($"Bank B decoded '{received.Reference}': signed by bank A = {genuine}, signed by bank B = {forgedByB}");

        var tampered = (byte[])encoded.Clone();
        tampered[^10] ^= 0x01;
        Console.WriteLine($"A payment altered in transit verifies = {bankA.PublicKey.Verify(tampered, signature)}");

        // 4. A four-validator chain (tolerates f = 1 Byzantine validator) records the signed payment in certified blocks.
        var validatorKeys = Enumerable.Range(0, 4).Select(_ => ed25519.GenerateKey()).ToArray();
        try
        {
            var validators = new ValidatorSet(validatorKeys.Select(k => k.PublicKey));
            var chainId = new ChainId("ppc-bank-a");
            Console.WriteLine($"Chain {chainId}: N = {validators.Count}, f = {validators.FaultTolerance}, quorum = {validators.Quorum}");

            var blocks = new List<Block>();
            var previous = Hash256.Zero;
            for (ulong height = 0; height < 3; height++)
            {
                ReadOnlyMemory<byte>[] entries = height == 1 ? [encoded, signature] : [];
                HashRecord[] records = [new HashRecord($"payment/{payment.Reference}", Hash256.Compute(encoded))];
                var proposer = validators.NodeIds[(int)height % validators.Count];
                var block = Block.Create(chainId, height, previous, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), proposer, view: 0, entries,
                    height == 1 ? records : null);
                var certificate = CommitCertificate.Sign(block.Header, validatorKeys.Take(validators.Quorum));
                blocks.Add(block.WithCertificate(certificate));
                previous = block.Hash;
                Console.WriteLine($"  block {block.Header}  entries {block.Entries.Count}  hash records {block.HashRecords.Count}  signatures {certificate.Signatures.Count}");
            }

            Console.WriteLine($"Chain verification: {ChainVerifier.Verify(chainId, validators, blocks)}");

            var proof = blocks[1].ProveHashRecord(0);
            Console.WriteLine($"Hash record '{proof.Record.Key}' proven in block {proof.Header.Height}: {proof.Verify(validators)}");

            // 5. Flip one byte of the stored middle block: verification names the block.
            var stored = blocks.Select(b => Canonical.Encode(b)).ToArray();
            stored[1][stored[1].Length / 2] ^= 0x01;
            Console.WriteLine($"After flipping one stored byte: {ChainVerifier.VerifyEncoded(chainId, validators, stored.Select(b => (ReadOnlyMemory<byte>)b))}");
        }
        finally
        {
            foreach (var key in validatorKeys)
            {
                key.Dispose();
            }
        }
    }
}
