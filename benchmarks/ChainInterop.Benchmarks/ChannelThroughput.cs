using System.Diagnostics;
using System.Globalization;
using System.Text;
using ChainInterop.Codec;
using ChainInterop.Consensus;
using ChainInterop.Consensus.Hosting;
using ChainInterop.Crypto;
using ChainInterop.Settlement.Channels;

namespace ChainInterop.Benchmarks;

/// <summary>
/// Iterative payment channel (seed 004, P1/P2): iterative transactions verified per second at the provider — from wire
/// bytes: decode, chain/payer/payee/asset/channel/nonce checks, signature, cumulative-amount and timing checks, plus
/// the delivery decision for each unit — next to a raw NSec (libsodium) Ed25519 verify loop over as many distinct signatures,
/// both on one thread, taking turns every 50 transactions; the median of the ratios of these adjacent chunks (hundreds
/// of short interleaved rounds) is the figure, robust to a shared machine's load spikes; whole-round ratios and the
/// loop that verifies one signature over and over (branch-predictor friendly) are printed too. Then a whole channel on a 4-validator PBFT
/// <see cref="InProcessChain"/> to count the on-chain submissions it needs.
/// </summary>
/// <remarks>Run: <c>dotnet run -c Release --project benchmarks/ChainInterop.Benchmarks -- --channel [--rounds N] [--units N]</c>.</remarks>
public static class ChannelThroughput
{
    private static readonly ChainId Chain = new("bench-channel-chain");
    private static readonly AssetCode Cny = new("CNY");
    private static readonly AccountId Payer = new("payer:cny");
    private static readonly AccountId Provider = new("provider:cny");
    private static readonly AccountId PenaltyFund = new("penalty-fund");

    public static async Task RunAsync(string[] args)
    {
        int rounds = Math.Max(5, PairedRatios.ArgValue(args, "--rounds", 21));
        int units = PairedRatios.ArgValue(args, "--units", 2_000);
        using var payerKey = Key("payer");
        using var providerKey = Key("provider");
        using var operatorKey = Key("operator");
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var agreement = Agreement(payerKey, providerKey, units, now);

        // The payer's side is not timed: sign every iterative transaction once, as bytes on the wire.
        ChannelPayer.TryCreate(agreement, payerKey, now, out var payer);
        var wire = new byte[units][];
        for (int k = 0; k < units; k++)
        {
            payer!.OnDelivered(k + 1);
            wire[k] = Canonical.Encode(payer.Pay(now).Transaction!);
        }

        var raw = new RawVerifier(units);
        var repeated = new SignatureBenchmarks();
        repeated.Setup();
        try
        {
            // Warm up (JIT tiering, caches), then interleave: within a round the three loops take turns every
            // ChunkSize transactions, in a rotating order, so all see the same machine load.
            PairedRound(agreement, wire, raw, repeated, now, []);
            var providerRates = new double[rounds];
            var rawRates = new double[rounds];
            var repeatedRates = new double[rounds];
            var ratios = new double[rounds];
            var chunks = new List<(double Raw, double Repeated)>();
            for (int r = 0; r < rounds; r++)
            {
                (providerRates[r], rawRates[r], repeatedRates[r]) = PairedRound(agreement, wire, raw, repeated, now, chunks);
                ratios[r] = providerRates[r] / rawRates[r];
            }

            Array.Sort(ratios);
            var toRaw = chunks.Select(c => c.Raw).Order().ToArray();
            var toRepeated = chunks.Select(c => c.Repeated).Order().ToArray();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Channel, {units} iterative transactions per round, {rounds} rounds, provider and raw loops alternating every {ChunkSize} ({toRaw.Length} chunks), one thread each ({Environment.ProcessorCount} cores, {SignatureSchemes.Ed25519.Name}):"));
            Console.WriteLine();
            Console.WriteLine("| provider verified tx/s | raw verifies/s, distinct signatures | provider / raw: median of chunks | p25–p75 | median of rounds | raw verifies/s, one signature repeated | provider / repeated | wire bytes per tx |");
            Console.WriteLine("|---:|---:|---:|---|---:|---:|---:|---:|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {PairedRatios.Median(providerRates):F0} | {PairedRatios.Median(rawRates):F0} | **{PairedRatios.Percentile(toRaw, 0.5):P1}** | {PairedRatios.Percentile(toRaw, 0.25):P1}–{PairedRatios.Percentile(toRaw, 0.75):P1} "
                + $"| {PairedRatios.Median(ratios):P1} | {PairedRatios.Median(repeatedRates):F0} | {PairedRatios.Percentile(toRepeated, 0.5):P1} | {wire[0].Length} |"));
            var decodeNs = new double[rounds];
            for (int r = 0; r < rounds; r++)
            {
                decodeNs[r] = DecodeRound(wire);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Decoding a transaction and hashing its signed body takes {PairedRatios.Median(decodeNs):F0} ns (median); one raw verify {1e9 / PairedRatios.Median(rawRates):F0} ns."));
        }
        finally
        {
            repeated.Cleanup();
        }

        var (submissions, committedEntries, outcome) = await OnChainSubmissionsAsync(operatorKey, payerKey, providerKey, units);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"On chain (4-validator PBFT): {units} iterative transactions -> {submissions} payment submission(s) for the channel ({outcome}); {committedEntries} entries committed in all (4 setup, open, settle)."));
    }

    /// <summary>
    /// One round: a fresh provider verifies every transaction (with the delivery before each, pay-after-delivery); the
    /// raw loop verifies as many distinct signatures; the repeated-signature loop verifies one signature as often. They
    /// take turns every <see cref="ChunkSize"/> transactions, in a rotating order. Returns the three rates (per second)
    /// and adds each chunk's ratios to <paramref name="chunks"/>.
    /// </summary>
    private static (double Provider, double Raw, double Repeated) PairedRound(
        ChannelAgreement agreement, byte[][] wire, RawVerifier raw, SignatureBenchmarks repeated, long now, List<(double Raw, double Repeated)> chunks)
    {
        ChannelProvider.TryCreate(agreement, now, out var provider);
        provider!.ConfirmCollateral(now);
        long providerTicks = 0, rawTicks = 0, repeatedTicks = 0;
        for (int from = 0, chunk = 0; from < wire.Length; from += ChunkSize, chunk++)
        {
            int to = Math.Min(from + ChunkSize, wire.Length);
            long p = 0, q = 0, z = 0;
            for (int turn = 0; turn < 3; turn++)
            {
                switch ((chunk + turn) % 3)
                {
                    case 0:
                        p = ProviderChunk(provider, wire, from, to, now);
                        break;
                    case 1:
                        q = raw.Verify(from, to);
                        break;
                    default:
                        z = RepeatedChunk(repeated, to - from);
                        break;
                }
            }

            providerTicks += p;
            rawTicks += q;
            repeatedTicks += z;
            chunks.Add(((double)q / p, (double)z / p)); // provider rate / bound rate over the same number of transactions
        }

        double f = wire.Length * (double)Stopwatch.Frequency;
        return (f / providerTicks, f / rawTicks, f / repeatedTicks);
    }

    private const int ChunkSize = 50;

    private static long ProviderChunk(ChannelProvider provider, byte[][] wire, int from, int to, long now)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = from; i < to; i++)
        {
            provider.Deliver(now);
            if (provider.Receive(wire[i], now) != ChannelResultCode.Ok)
            {
                throw new InvalidOperationException("an honest iterative transaction was refused");
            }
        }

        return Stopwatch.GetTimestamp() - start;
    }

    /// <summary>One signature of a 64-byte message verified <paramref name="count"/> times (the loop of docs/BENCHMARKS.md "Foundation"); elapsed ticks.</summary>
    private static long RepeatedChunk(SignatureBenchmarks repeated, int count)
    {
        int failures = 0;
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < count; i++)
        {
            failures += repeated.Raw_NSec_verify_key_imported_once() ? 0 : 1;
        }

        long elapsed = Stopwatch.GetTimestamp() - start;
        return failures == 0 ? elapsed : throw new InvalidOperationException("raw verification failed");
    }

    /// <summary>
    /// The bound: NSec's Ed25519 verify (libsodium's <c>crypto_sign_verify_detached</c>), the key imported once, over
    /// as many <b>distinct</b> signatures as the provider sees, each of a 55-byte message (the length of the provider's
    /// domain tag ‖ digest), one key.
    /// </summary>
    private sealed class RawVerifier
    {
        private readonly NSec.Cryptography.PublicKey _publicKey;
        private readonly byte[][] _messages;
        private readonly byte[][] _signatures;

        public RawVerifier(int count)
        {
            var ed25519 = NSec.Cryptography.SignatureAlgorithm.Ed25519;
            var seed = Hash256.Compute("bench-channel/raw"u8).ToArray();
            using var key = NSec.Cryptography.Key.Import(ed25519, seed, NSec.Cryptography.KeyBlobFormat.RawPrivateKey);
            _publicKey = key.PublicKey;
            _messages = new byte[count][];
            _signatures = new byte[count][];
            for (int i = 0; i < count; i++)
            {
                _messages[i] = [.. "ChainInterop/payment/v1"u8, .. Hash256.Compute(BitConverter.GetBytes(i)).ToArray()];
                _signatures[i] = ed25519.Sign(key, _messages[i]);
            }
        }

        /// <summary>Verifies signatures <paramref name="from"/> to <paramref name="to"/> (exclusive); elapsed ticks.</summary>
        public long Verify(int from, int to)
        {
            var ed25519 = NSec.Cryptography.SignatureAlgorithm.Ed25519;
            int failures = 0;
            long start = Stopwatch.GetTimestamp();
            for (int i = from; i < to; i++)
            {
                failures += ed25519.Verify(_publicKey, _messages[i], _signatures[i]) ? 0 : 1;
            }

            long elapsed = Stopwatch.GetTimestamp() - start;
            return failures == 0 ? elapsed : throw new InvalidOperationException("raw verification failed");
        }
    }

    /// <summary>Decoding alone (canonical checks, ids, digest of the signed body): nanoseconds per transaction.</summary>
    private static double DecodeRound(byte[][] wire)
    {
        long start = Stopwatch.GetTimestamp();
        foreach (var bytes in wire)
        {
            if (!PaymentTransaction.TryDecode(bytes, out _))
            {
                throw new InvalidOperationException("an honest iterative transaction did not decode");
            }
        }

        return Stopwatch.GetElapsedTime(start).TotalNanoseconds / wire.Length;
    }

    /// <summary>A whole channel through consensus: open, <paramref name="units"/> iterative transactions off chain, close; counts what was committed.</summary>
    private static async Task<(int Submissions, int Entries, ChannelOutcome Outcome)> OnChainSubmissionsAsync(
        PrivateKey operatorKey, PrivateKey payerKey, PrivateKey providerKey, int units)
    {
        var copies = new ReplicatedApplication<ChannelContract>(4, _ =>
        {
            var options = new ChannelContractOptions { Chain = Chain, Operator = operatorKey.PublicKey };
            options.Assets.Add(Cny);
            return new ChannelContract(options);
        });
        await using var chain = await InProcessChain.StartAsync(
            new InProcessChainOptions { ChainId = Chain, UseDemoKeys = true, ConfigureReplica = o => o.BatchDelayMs = 1 }, copies.Application);
        using var operatorClient = chain.CreateClient(operatorKey);
        using var payerClient = chain.CreateClient(payerKey);
        using var providerClient = chain.CreateClient(providerKey);
        await operatorClient.SubmitAsync(new RegisterAccountCommand(Payer, new InstitutionId("bank-a"), payerKey.PublicKey, [Cny]).ToPayload());
        await operatorClient.SubmitAsync(new RegisterAccountCommand(Provider, new InstitutionId("bank-b"), providerKey.PublicKey, [Cny]).ToPayload());
        await operatorClient.SubmitAsync(new RegisterAccountCommand(PenaltyFund, new InstitutionId("bank-c"), null, [Cny]).ToPayload());
        await operatorClient.SubmitAsync(new DepositCommand(Payer, Cny, Amount.FromMinorUnits(10L * units)).ToPayload());

        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var agreement = Agreement(payerKey, providerKey, units, now);
        ChannelPayer.TryCreate(agreement, payerKey, now, out var payer);
        ChannelProvider.TryCreate(agreement, now, out var provider);
        await payerClient.SubmitAsync(new OpenChannelCommand(agreement).ToPayload());
        provider!.ConfirmCollateral(now);
        while (provider.Phase == ProviderPhase.Active)
        {
            payer!.OnDelivered(provider.Deliver(now).UnitIndex);
            provider.Receive(Canonical.Encode(payer.Pay(now).Transaction!), now);
        }

        var reply = await providerClient.SubmitAsync(provider.Submission!.ToPayload());
        // Every validator's copy (and store) has the settlement once all copies applied its height.
        await copies.WaitForHeightAsync(reply.Height);
        provider.OnSubmissionOutcome(copies.Read(0, c => c.TryGetReceipt(reply.RequestDigest, out var receipt) ? receipt : throw new InvalidOperationException("no receipt")));

        int submissions = 0, entries = 0;
        await foreach (var block in chain.Stores[0].ReadAsync())
        {
            foreach (var entry in block.Entries)
            {
                entries++;
                var command = Canonical.Decode<ChannelCommand>(Canonical.Decode<ClientRequest>(entry).Payload);
                if (command is SubmitPaymentCommand s && s.Transaction.ChannelId == agreement.ChannelId)
                {
                    submissions++;
                }
            }
        }

        return (submissions, entries, provider.Outcome);
    }

    private static ChannelAgreement Agreement(PrivateKey payerKey, PrivateKey providerKey, int units, long now)
    {
        var terms = new ChannelTerms
        {
            Chain = Chain, Payer = Payer, PayerKey = payerKey.PublicKey, Provider = Provider, ProviderKey = providerKey.PublicKey,
            Asset = Cny, Nonce = 1, UnitPrice = Amount.FromMinorUnits(3), MaxUnits = units, MaxTotal = Amount.FromMinorUnits(3L * units),
            DeadlineUnixMs = now + 3_600_000, Timing = TimingMode.PayAfterDelivery, PaymentTimeoutMs = 60_000,
            Collateral = Amount.FromMinorUnits(4L * units), Penalty = PenaltyRule.None, PenaltyRecipient = PenaltyFund,
        };
        return new ChannelAgreement(terms, terms.Sign(payerKey), terms.Sign(providerKey));
    }

    private static PrivateKey Key(string name) =>
        SignatureSchemes.Ed25519.ImportPrivateKey(Hash256.Compute(Encoding.UTF8.GetBytes("bench-channel/" + name)).ToArray());
}
