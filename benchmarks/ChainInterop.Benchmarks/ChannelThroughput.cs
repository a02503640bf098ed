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
/// the delivery decision for each unit — next to the raw libsodium Ed25519 verify loop, both on one thread, taking
/// turns every 50 transactions (A,B then B,A) within each round; the median of the per-round ratios is the figure. Then a whole channel on a 4-validator PBFT
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

        var raw = new SignatureBenchmarks();
        raw.Setup();
        try
        {
            // Warm up both (JIT tiering, caches), then interleave: within a round the provider and the raw loop take
            // turns every ChunkSize transactions (A,B then B,A), so both see the same machine load.
            PairedRound(agreement, wire, raw, now);
            var providerRates = new double[rounds];
            var rawRates = new double[rounds];
            var ratios = new double[rounds];
            for (int r = 0; r < rounds; r++)
            {
                (providerRates[r], rawRates[r]) = PairedRound(agreement, wire, raw, now);
                ratios[r] = providerRates[r] / rawRates[r];
            }

            Array.Sort(ratios);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Channel, {units} iterative transactions per round, {rounds} rounds, provider and raw loop alternating every {ChunkSize}, one thread each ({Environment.ProcessorCount} cores, {SignatureSchemes.Ed25519.Name}):"));
            Console.WriteLine();
            Console.WriteLine("| provider verified tx/s (median) | raw Ed25519 verifies/s (median) | ratio (median of rounds) | ratio p25–p75 | wire bytes per tx |");
            Console.WriteLine("|---:|---:|---:|---|---:|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {PairedRatios.Median(providerRates):F0} | {PairedRatios.Median(rawRates):F0} | **{PairedRatios.Median(ratios):P1}** | {PairedRatios.Percentile(ratios, 0.25):P1}–{PairedRatios.Percentile(ratios, 0.75):P1} | {wire[0].Length} |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Per-round ratios: {string.Join(", ", ratios.Select(x => x.ToString("F3", CultureInfo.InvariantCulture)))}"));
            var decodeNs = new double[rounds];
            for (int r = 0; r < rounds; r++)
            {
                decodeNs[r] = DecodeRound(wire);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Of the provider's cost, decoding a transaction and hashing its body (digest) takes {PairedRatios.Median(decodeNs):F0} ns (median); the raw verify {1e9 / PairedRatios.Median(rawRates):F0} ns."));
        }
        finally
        {
            raw.Cleanup();
        }

        var (submissions, committedEntries, outcome) = await OnChainSubmissionsAsync(operatorKey, payerKey, providerKey, units);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"On chain (4-validator PBFT): {units} iterative transactions -> {submissions} payment submission(s) for the channel ({outcome}); {committedEntries} entries committed in all (4 setup, open, settle)."));
    }

    /// <summary>
    /// One round: a fresh provider verifies every transaction (with the delivery before each, pay-after-delivery), and
    /// the raw loop verifies as many signatures, taking turns every <see cref="ChunkSize"/>. Returns both rates (per second).
    /// </summary>
    private static (double Provider, double Raw) PairedRound(ChannelAgreement agreement, byte[][] wire, SignatureBenchmarks raw, long now)
    {
        ChannelProvider.TryCreate(agreement, now, out var provider);
        provider!.ConfirmCollateral(now);
        long providerTicks = 0, rawTicks = 0;
        for (int from = 0, chunk = 0; from < wire.Length; from += ChunkSize, chunk++)
        {
            int to = Math.Min(from + ChunkSize, wire.Length);
            if (chunk % 2 == 0)
            {
                providerTicks += ProviderChunk(provider, wire, from, to, now);
                rawTicks += RawChunk(raw, to - from);
            }
            else
            {
                rawTicks += RawChunk(raw, to - from);
                providerTicks += ProviderChunk(provider, wire, from, to, now);
            }
        }

        return (wire.Length * (double)Stopwatch.Frequency / providerTicks, wire.Length * (double)Stopwatch.Frequency / rawTicks);
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

    /// <summary>The bound: raw <c>crypto_sign_verify_detached</c> on a 64-byte message, <paramref name="count"/> times; elapsed ticks.</summary>
    private static long RawChunk(SignatureBenchmarks raw, int count)
    {
        int failures = 0;
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < count; i++)
        {
            failures += raw.Raw_libsodium_verify();
        }

        long elapsed = Stopwatch.GetTimestamp() - start;
        return failures == 0 ? elapsed : throw new InvalidOperationException("raw verification failed");
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
        var copies = Enumerable.Range(0, 4).Select(_ =>
        {
            var options = new ChannelContractOptions { Chain = Chain, Operator = operatorKey.PublicKey };
            options.Assets.Add(Cny);
            return new ChannelContract(options);
        }).ToArray();
        await using var chain = await InProcessChain.StartAsync(
            new InProcessChainOptions { ChainId = Chain, ConfigureReplica = o => o.BatchDelayMs = 1 },
            i => (block, _) =>
            {
                lock (copies[i])
                {
                    copies[i].ApplyBlock(block);
                }

                return ValueTask.CompletedTask;
            });
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
        // f + 1 validators executed the settlement before replying; read the receipt from one of them.
        ChannelReceipt receipt = default;
        while (!copies.Any(c => { lock (c) { return c.TryGetReceipt(reply.RequestDigest, out receipt); } }))
        {
            await Task.Delay(5);
        }

        provider.OnSubmissionOutcome(receipt);
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
