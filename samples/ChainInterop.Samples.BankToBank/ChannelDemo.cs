using ChainInterop;
using ChainInterop.Codec;
using ChainInterop.Consensus;
using ChainInterop.Consensus.Hosting;
using ChainInterop.Crypto;
using ChainInterop.Settlement.Channels;

namespace ChainInterop.Samples.BankToBank;

/// <summary>
/// A metered service paid through an iterative payment channel (seed 004, docs/CHANNELS.md): bank B sells bank A
/// real-time FX quotes at 0.05 CNY each. Bank A deposits collateral on a 4-validator PBFT chain, pays every quote with
/// a new signed transaction of the cumulative amount off chain, and bank B puts only the last one on chain.
/// </summary>
internal static class ChannelDemo
{
    private static readonly ChainId Chain = new("settlement-chain");
    private static readonly AssetCode Cny = new("CNY");
    private static readonly AccountId BankA = new("bank-a:cny");
    private static readonly AccountId BankB = new("bank-b:cny");
    private static readonly AccountId PenaltyFund = new("penalty-fund:cny");
    private const int Quotes = 1_000;

    public static async Task RunAsync()
    {
        Console.WriteLine();
        Console.WriteLine($"Payment channel: bank A buys {Quotes} FX quotes from bank B, one on-chain payment");
        var ed25519 = SignatureSchemes.Ed25519;
        using var operatorKey = ed25519.GenerateKey();
        using var bankAKey = ed25519.GenerateKey();
        using var bankBKey = ed25519.GenerateKey();

        // Every validator runs its own copy of the settlement contract on the committed blocks.
        var copies = new ReplicatedApplication<ChannelContract>(4, _ =>
        {
            var options = new ChannelContractOptions { Chain = Chain, Operator = operatorKey.PublicKey };
            options.Assets.Add(Cny);
            return new ChannelContract(options);
        });
        await using var chain = await InProcessChain.StartAsync(
            new InProcessChainOptions { ChainId = Chain, UseDemoKeys = true, ConfigureReplica = o => o.BatchDelayMs = 1 }, copies.Application);
        using var operatorClient = chain.CreateClient(operatorKey);
        using var bankAClient = chain.CreateClient(bankAKey);
        using var bankBClient = chain.CreateClient(bankBKey);

        async Task<ChannelReceipt> Submit(ChainClient client, ChannelCommand command)
        {
            var reply = await client.SubmitAsync(command.ToPayload());
            await copies.WaitForHeightAsync(reply.Height);
            return copies.Read(0, c => c.TryGetReceipt(reply.RequestDigest, out var receipt) ? receipt : throw new InvalidOperationException("no receipt"));
        }

        // The chain's operator registers the accounts and credits bank A's deposit of 1,000.00 CNY.
        await Submit(operatorClient, new RegisterAccountCommand(BankA, new InstitutionId("bank-a"), bankAKey.PublicKey, [Cny]));
        await Submit(operatorClient, new RegisterAccountCommand(BankB, new InstitutionId("bank-b"), bankBKey.PublicKey, [Cny]));
        await Submit(operatorClient, new RegisterAccountCommand(PenaltyFund, new InstitutionId("clearing-house"), null, [Cny]));
        await Submit(operatorClient, new DepositCommand(BankA, Cny, Amount.FromMinorUnits(1_000_00)));

        // 1. Open (P4): both banks sign the terms; bank A puts them on chain with its collateral.
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var terms = new ChannelTerms
        {
            Chain = Chain, Payer = BankA, PayerKey = bankAKey.PublicKey, Provider = BankB, ProviderKey = bankBKey.PublicKey,
            Asset = Cny, Nonce = 1, UnitPrice = Amount.FromMinorUnits(5), MaxUnits = Quotes, MaxTotal = Amount.FromMinorUnits(Quotes * 5),
            DeadlineUnixMs = now + 3_600_000, Timing = TimingMode.PayAfterDelivery, PaymentTimeoutMs = 30_000,
            Collateral = Amount.FromMinorUnits(60_00), Penalty = new PenaltyRule(Amount.FromMinorUnits(5_00), 1_000), PenaltyRecipient = PenaltyFund,
        };
        var agreement = new ChannelAgreement(terms, terms.Sign(bankAKey), terms.Sign(bankBKey));
        ChannelPayer.TryCreate(agreement, bankAKey, now, out var payer);
        ChannelProvider.TryCreate(agreement, now, out var provider);
        var opened = await Submit(bankAClient, new OpenChannelCommand(agreement));
        provider!.ConfirmCollateral(now);
        Console.WriteLine($"  channel {terms.Id.ToShortString()} opened: {opened.Code}; collateral {terms.Collateral.ToDecimalString(2)} CNY held for bank B");

        // 2. Iterate (P1, P5): bank B answers a quote request, bank A pays for it with the cumulative amount, off chain.
        int wireBytes = 0;
        while (provider.Phase == ProviderPhase.Active)
        {
            var quote = provider.Deliver(now);
            payer!.OnDelivered(quote.UnitIndex);
            byte[] wire = Canonical.Encode(payer.Pay(now).Transaction!);
            wireBytes += wire.Length;
            if (provider.Receive(wire, now) != ChannelResultCode.Ok)
            {
                break;
            }
        }

        Console.WriteLine($"  {provider.PaidUnits} quotes delivered and paid with {provider.PaidUnits} iterative transactions ({wireBytes / provider.PaidUnits} bytes each), "
            + $"last = {provider.AcceptedAmount.ToDecimalString(2)} CNY; bank B stops: {provider.CloseReason}");

        // 3. Close (P2): bank B submits only the last transaction.
        var settled = await Submit(bankBClient, provider.Submission!);
        provider.OnSubmissionOutcome(settled);
        Console.WriteLine($"  on-chain submission: {settled.Code} -> channel {provider.Outcome}, submissions = {provider.SubmissionCount}");

        // The proof is in the committed blocks: count the channel's payment transactions on validator 0's chain.
        int payments = 0;
        await foreach (var block in chain.Stores[0].ReadAsync())
        {
            payments += block.Entries.Count(e => Canonical.Decode<ChannelCommand>(Canonical.Decode<ClientRequest>(e).Payload) is SubmitPaymentCommand { Transaction.ChannelId: var id } && id == terms.Id);
        }

        Console.WriteLine($"  {provider.PaidUnits} payments off chain, {payments} channel transaction committed on chain");

        // A replay of an earlier iterative transaction after close is refused: one transaction per (payer, nonce).
        var replay = PaymentTransaction.Create(bankAKey, Chain, BankA, BankB, Cny, Amount.FromMinorUnits(5), terms.Nonce, terms.Id);
        Console.WriteLine($"  replay of the first iterative transaction: {(await Submit(bankBClient, new SubmitPaymentCommand(replay))).Code}");

        for (int i = 0; i < copies.Count; i++)
        {
            Console.WriteLine(copies.Read(i, copy =>
            {
                copy.TryGetBalance(BankA, Cny, out var a);
                copy.TryGetBalance(BankB, Cny, out var b);
                return $"  validator copy: bank-a {a.Posted.ToDecimalString(2)} (held {a.PendingDebits.ToDecimalString(2)}), bank-b {b.Posted.ToDecimalString(2)}, "
                    + $"collateral {copy.GetCollateralState(terms.Id)}, state {copy.ComputeStateHash().ToShortString()}";
            }));
        }
    }
}
