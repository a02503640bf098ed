using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using ChainInterop.Crypto;
using ChainInterop.Ledger;
using ChainInterop.Settlement.Vouchers;

namespace ChainInterop.Benchmarks;

/// <summary>
/// Complete voucher flows per second (seed 001, V1–V4) with the protocol objects only — originator, destination,
/// auxiliary, third party and the voucher-ledger application, every message through its canonical wire form, no
/// consensus — next to the signature bound measured in the same run: a loop doing exactly the signatures and
/// verifications one flow needs (counted through the protocol's own metrics), timed in interleaved rounds.
/// </summary>
/// <remarks>Run: <c>dotnet run -c Release --project benchmarks/ChainInterop.Benchmarks -- --vouchers [--flows N] [--rounds R]</c>.</remarks>
public static class VoucherThroughput
{
    private const long StartMs = 1_700_000_000_000;
    private static readonly InstitutionId Ccb = new("bank-ccb");
    private static readonly InstitutionId Icbc = new("bank-icbc");
    private static readonly InstitutionId Scheme = new("card-scheme");
    private static readonly InstitutionId House = new("clearing-house");
    private static readonly AssetCode Cny = new("CNY");
    private static readonly UserId User = new("user-a");
    private static readonly AccountId Wallet = new("icbc:user-a");

    public static void Run(string[] args)
    {
        int flows = PairedRatios.ArgValue(args, "--flows", 400);
        int rounds = Math.Max(5, PairedRatios.ArgValue(args, "--rounds", 9));
        var keys = new[] { Ccb, Icbc, Scheme, House }.ToDictionary(id => id, id => SignatureSchemes.Ed25519.ImportPrivateKey(Hash256.Compute(Encoding.UTF8.GetBytes("bench/" + id)).ToArray()));
        try
        {
            // Count what one flow costs in signatures, through the protocol's metrics (not by hand).
            var (signs, verifies, messages, bytes) = Count(keys, 50);
            Console.WriteLine($"Signature scheme: {SignatureSchemes.Ed25519.Name}; {Environment.ProcessorCount} cores; one thread (the parties are single-threaded).");
            Console.WriteLine("One flow: audit (V1) -> co-signing with a card-scheme confirmation (V2) -> retention + clearing relation with two fee debts (V3)");
            Console.WriteLine("-> two clearing vouchers made and accepted by the voucher-ledger application (V4); no consensus.");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Per flow: {signs} signatures + {verifies} verifications, {messages} messages, {bytes} bytes on the wire."));
            Console.WriteLine();

            // Warm up both sides, then interleave: ours then bound on even rounds, bound then ours on odd ones.
            TimeFlows(keys, flows / 4);
            TimeBound(keys[Ccb], signs, verifies, flows / 4);
            var ours = new double[rounds];
            var bound = new double[rounds];
            var ratios = new double[rounds];
            Console.WriteLine("| round | flows/s | signature bound flows/s | ratio |");
            Console.WriteLine("|---:|---:|---:|---:|");
            for (int r = 0; r < rounds; r++)
            {
                if (r % 2 == 0)
                {
                    ours[r] = TimeFlows(keys, flows);
                    bound[r] = TimeBound(keys[Ccb], signs, verifies, flows);
                }
                else
                {
                    bound[r] = TimeBound(keys[Ccb], signs, verifies, flows);
                    ours[r] = TimeFlows(keys, flows);
                }

                ratios[r] = ours[r] / bound[r];
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {r + 1} | {ours[r]:F0} | {bound[r]:F0} | {ratios[r]:P0} |"));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| **median** | **{Median(ours):F0}** | **{Median(bound):F0}** | **{Median(ratios):P0}** |"));
        }
        finally
        {
            foreach (var key in keys.Values)
            {
                key.Dispose();
            }
        }
    }

    /// <summary>Runs <paramref name="flows"/> counted flows and returns the per-flow costs.</summary>
    private static (long Signs, long Verifies, long Messages, long Bytes) Count(Dictionary<InstitutionId, PrivateKey> keys, int flows)
    {
        long signs = 0;
        long verifies = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == VoucherInstrumentation.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == VoucherInstrumentation.SignaturesCreated)
            {
                signs += value;
            }
            else if (instrument.Name == VoucherInstrumentation.SignaturesVerified)
            {
                verifies += value;
            }
        });
        listener.Start();
        var world = new World(keys);
        world.Flows(flows);
        listener.Dispose();
        if (signs % flows != 0 || verifies % flows != 0)
        {
            throw new InvalidOperationException($"Flows differ in cost: {signs} signatures and {verifies} verifications over {flows} flows.");
        }

        return (signs / flows, verifies / flows, world.Network.MessagesDelivered / flows, world.Network.BytesDelivered / flows);
    }

    /// <summary>Complete flows per second over <paramref name="flows"/> flows, on fresh parties (set up outside the timing).</summary>
    private static double TimeFlows(Dictionary<InstitutionId, PrivateKey> keys, int flows)
    {
        var world = new World(keys);
        long start = Stopwatch.GetTimestamp();
        world.Flows(flows);
        return flows / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    /// <summary>"Flows" per second of a loop doing only a flow's signatures and verifications (the same helper, tag and digest size).</summary>
    private static double TimeBound(PrivateKey key, long signs, long verifies, int flows)
    {
        var tag = "ChainInterop/voucher/transaction/v1"u8.ToArray();
        var digest = Hash256.Compute("bound"u8);
        var signature = SignedDigest.Sign(key, tag, digest);
        var publicKey = key.PublicKey;
        int ok = 0;
        long start = Stopwatch.GetTimestamp();
        for (int f = 0; f < flows; f++)
        {
            for (long s = 0; s < signs; s++)
            {
                signature = SignedDigest.Sign(key, tag, digest);
            }

            for (long v = 0; v < verifies; v++)
            {
                ok += SignedDigest.Verify(publicKey, tag, digest, signature) ? 1 : 0;
            }
        }

        double perSecond = flows / Stopwatch.GetElapsedTime(start).TotalSeconds;
        return ok == flows * verifies ? perSecond : throw new InvalidOperationException("a bound verification failed");
    }

    private static double Median(double[] values)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return sorted[sorted.Length / 2];
    }

    /// <summary>The four institutions, their account ledger and a voucher ledger, ready to run flows.</summary>
    private sealed class World
    {
        private readonly OriginatingInstitution _originator;
        private readonly VoucherLedger _ledger;
        private ulong _nonce;
        private ulong _height;

        public World(Dictionary<InstitutionId, PrivateKey> keys)
        {
            var directory = new InstitutionDirectory(keys.Select(k => new InstitutionEntry(k.Key, k.Value.PublicKey, new AccountId($"{k.Key}:settlement"), k.Key == House)));
            var options = new VoucherProtocolOptions
            {
                Fees = new FeeSchedule(
                [
                    new FeeRule(TransactionType.Purchase, FeePayer.UserInstitution, 60, Amount.Zero),
                    new FeeRule(TransactionType.Purchase, FeePayer.Originator, 35, Amount.Zero),
                ]),
            };
            var accounts = new AccountLedger();
            accounts.ApplyBlock(
            [
                new OpenAccountCommand(new AccountId($"{Ccb}:settlement"), Ccb, [Cny]),
                new OpenAccountCommand(new AccountId($"{Icbc}:settlement"), Icbc, [Cny]),
                new IssueCommand(TransferId.FromUInt64(1), new AccountId($"{Ccb}:settlement"), Cny, Amount.FromMinorUnits(1_000_000_000_00)),
                new IssueCommand(TransferId.FromUInt64(2), new AccountId($"{Icbc}:settlement"), Cny, Amount.FromMinorUnits(1_000_000_000_00)),
            ], StartMs);
            _originator = new OriginatingInstitution(Ccb, keys[Ccb], directory, accounts, House, options);
            var destination = new DestinationInstitution(Icbc, keys[Icbc], directory, accounts, [Cny], options);
            destination.AddCustomer(new CustomerAccount(User, Wallet, Cny, Amount.FromMinorUnits(1_000_000_000_00), Amount.FromMinorUnits(10_000_00)));
            Network = new InMemoryVoucherNetwork(StartMs);
            Network.Add(_originator);
            Network.Add(destination);
            Network.Add(new AuxiliaryInstitution(Scheme, keys[Scheme], directory, _ => VoucherFailure.None, options));
            Network.Add(new RetentionInstitution(House, keys[House], directory, options));
            _ledger = new VoucherLedger(directory);
        }

        public InMemoryVoucherNetwork Network { get; }

        public void Flows(int count)
        {
            for (int i = 0; i < count; i++)
            {
                var request = new PaymentRequest(User, Icbc, Wallet, TransactionType.Purchase, Cny, Amount.FromMinorUnits(388_00), [Icbc], [Scheme], ++_nonce);
                Network.Accept(_originator.Submit(request, StartMs));
                Network.Run();
                if (Network.Publications.Count != 2)
                {
                    throw new InvalidOperationException($"flow {_nonce} ended with {Network.Publications.Count} publications: {string.Join("; ", Network.Events)}");
                }

                foreach (var publication in Network.Publications)
                {
                    var outcome = _ledger.Apply(publication.ToPayload(), publication.Clearing.Id, ++_height, 0, StartMs);
                    if (!outcome.IsAccepted)
                    {
                        throw new InvalidOperationException($"the voucher ledger refused a clearing: {outcome.Failure}");
                    }
                }

                Network.ClearRecords();
            }
        }
    }
}
