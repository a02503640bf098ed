using ChainInterop;
using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Consensus.Hosting;
using ChainInterop.Crypto;
using ChainInterop.Ledger;
using ChainInterop.Settlement.Vouchers;

namespace ChainInterop.Samples.BankToBank;

/// <summary>
/// A cross-bank card payment settled through co-signed vouchers (seed 001, SPEC V1–V4): user A of ICBC pays 388.00
/// CNY at a merchant of CCB. CCB audits and signs the transaction voucher, ICBC co-signs after the card scheme
/// confirms, the clearing house retains it and records who owes whom (fees included), both banks publish their
/// clearing vouchers on a 4-validator PBFT voucher ledger, and the clearing house proves the whole payment offline.
/// </summary>
internal static class VoucherDemo
{
    private static readonly InstitutionId Ccb = new("bank-ccb");
    private static readonly InstitutionId Icbc = new("bank-icbc");
    private static readonly InstitutionId Scheme = new("card-scheme");
    private static readonly InstitutionId House = new("clearing-house");
    private static readonly AssetCode Cny = new("CNY");

    public static async Task RunAsync()
    {
        Console.WriteLine();
        Console.WriteLine("Voucher co-signing: user A of ICBC pays 388.00 CNY at a CCB merchant");
        var keys = new[] { Ccb, Icbc, Scheme, House }.ToDictionary(id => id, _ => SignatureSchemes.Ed25519.GenerateKey());
        try
        {
            // The trust root: every institution's key and settlement account; the clearing house may retain vouchers.
            var directory = new InstitutionDirectory(keys.Select(k => new InstitutionEntry(k.Key, k.Value.PublicKey, Settlement(k.Key), k.Key == House)));
            var fees = new FeeSchedule(
            [
                new FeeRule(TransactionType.Purchase, FeePayer.UserInstitution, 60, Amount.Zero), // CCB's service fee, paid by ICBC for its user
                new FeeRule(TransactionType.Purchase, FeePayer.Originator, 35, Amount.Zero),      // interchange, CCB to ICBC
            ]);
            var options = new VoucherProtocolOptions { Fees = fees };
            long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

            // The shared account ledger the originator queries in its audit (V1) and the banks fund their clearing from.
            var accounts = new AccountLedger();
            accounts.ApplyBlock(
            [
                new OpenAccountCommand(Settlement(Ccb), Ccb, [Cny]),
                new OpenAccountCommand(Settlement(Icbc), Icbc, [Cny]),
                new IssueCommand(TransferId.FromUInt64(1), Settlement(Ccb), Cny, Amount.FromMinorUnits(2_000_000_00)),
                new IssueCommand(TransferId.FromUInt64(2), Settlement(Icbc), Cny, Amount.FromMinorUnits(3_000_000_00)),
            ], now);

            var user = new UserId("user-a");
            var wallet = new AccountId("icbc:user-a");
            var icbc = new DestinationInstitution(Icbc, keys[Icbc], directory, accounts, [Cny], options);
            icbc.AddCustomer(new CustomerAccount(user, wallet, Cny, Amount.FromMinorUnits(10_000_00), Amount.FromMinorUnits(5_000_00)));
            var ccb = new OriginatingInstitution(Ccb, keys[Ccb], directory, accounts, House, options);
            var house = new RetentionInstitution(House, keys[House], directory, options);
            var network = new InMemoryVoucherNetwork(now);
            network.Add(ccb);
            network.Add(icbc);
            network.Add(new AuxiliaryInstitution(Scheme, keys[Scheme], directory, _ => VoucherFailure.None, options));
            network.Add(house);

            // Steps 301–310 between the four institutions (every message goes through its canonical wire form).
            var request = new PaymentRequest(user, Icbc, wallet, TransactionType.Purchase, Cny, Amount.FromMinorUnits(388_00), [Icbc], [Scheme], nonce: 1);
            network.Accept(ccb.Submit(request, now));
            network.Run();
            foreach (var e in network.Events)
            {
                Console.WriteLine($"  {e.Institution,-15} {e.Kind,-17} {(e.Failure == VoucherFailure.None ? string.Empty : e.Failure + " ")}{Shorten(e.Detail)}");
            }

            Console.WriteLine($"  {network.MessagesDelivered} messages, {network.BytesDelivered} bytes; ICBC holds {icbc.GetAvailable(user)?.ToDecimalString(2)} available for user A");
            var voucherId = network.Events.First(e => e.Kind == FlowEventKind.Approved).VoucherId;
            house.TryGetRetained(voucherId, out var notice);
            foreach (var o in notice!.Relation.Obligations)
            {
                Console.WriteLine($"  clearing relation: {o.Payer} owes {o.Payee} {o.Amount.ToDecimalString(2)} {o.Asset} ({o.Kind})");
            }

            // Step 311: each paying bank publishes its clearing voucher on the voucher ledger chain through PBFT.
            var ledgers = Enumerable.Range(0, 4).Select(_ => new VoucherLedger(directory)).ToArray();
            await using var chain = await InProcessChain.StartAsync(
                new InProcessChainOptions { ChainId = new ChainId("voucher-ledger"), UseDemoKeys = true, ConfigureReplica = o => o.BatchDelayMs = 1 },
                i => ledgers[i]);
            ulong top = 0;
            foreach (var publication in network.Publications)
            {
                using var client = chain.CreateClient(keys[publication.Clearing.Originator]);
                var reply = await client.SubmitAsync(publication.ToPayload()).WaitAsync(TimeSpan.FromSeconds(30));
                top = Math.Max(top, reply.Height);
                Console.WriteLine($"  {publication.Clearing} committed at height {reply.Height}");
            }

            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!ledgers.All(l => l.LastHeight >= top) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(5);
            }

            // Step 312: any bank asks its copy of the ledger whether the clearing executed.
            var relationId = notice.Relation.Id;
            Console.WriteLine($"  clearing status on the 4 validators: {string.Join(", ", ledgers.Select(l => l.GetClearingStatus(relationId)))}; "
                + $"net CCB {ledgers[0].GetNetPosition(Ccb, Cny).ToDecimalString(2)}, ICBC {ledgers[0].GetNetPosition(Icbc, Cny).ToDecimalString(2)} CNY");

            // A dispute: the clearing house assembles the evidence; anyone with the directory and the ledger's validator set checks it offline.
            var published = ledgers[0].GetClearings(relationId);
            var blocks = new List<Block>();
            foreach (ulong height in published.Select(p => p.Height).Distinct())
            {
                blocks.Add((await chain.Stores[0].GetAsync(height))!);
            }

            var evidence = house.AssembleEvidence(voucherId, published.Select(p => p.Voucher), blocks).Value!;
            byte[] bytes = Canonical.Encode(evidence);
            var check = VoucherVerifier.VerifyEvidence(Canonical.Decode<EvidenceChain>(bytes), directory, fees, chain.Validators);
            Console.WriteLine($"  evidence chain: {bytes.Length} bytes, {evidence.Signatures.Count} institution signatures "
                + $"({string.Join(", ", evidence.Signatures.Select(s => $"{s.Signer} on {s.Voucher}"))}) + {blocks.Count} certified blocks: {check}");
        }
        finally
        {
            foreach (var key in keys.Values)
            {
                key.Dispose();
            }
        }
    }

    private static AccountId Settlement(InstitutionId id) => new($"{id}:settlement");

    private static string Shorten(string text) => text.Length <= 110 ? text : text[..107] + "...";
}
