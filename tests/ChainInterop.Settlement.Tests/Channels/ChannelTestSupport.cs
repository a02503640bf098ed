using ChainInterop.Consensus;
using ChainInterop.Crypto;
using ChainInterop.Ledger;
using ChainInterop.Settlement.Channels;

namespace ChainInterop.Settlement.Tests.Channels;

/// <summary>Names, keys and builders shared by the channel tests. Keys are derived, so every run signs the same bytes.</summary>
internal static class ChannelTestSupport
{
    public static readonly ChainId Chain = new("channel-chain");
    public static readonly AssetCode Cny = new("CNY");
    public static readonly AccountId PayerAccount = new("payer:cny");
    public static readonly AccountId ProviderAccount = new("provider:cny");
    public static readonly AccountId PenaltyFund = new("penalty-fund");
    public static readonly AccountId Merchant = new("merchant:cny");
    public static readonly InstitutionId Bank = new("bank-a");

    /// <summary>Start of virtual time for the off-chain endpoints and the contract's blocks (Unix milliseconds).</summary>
    public const long T0 = 1_700_000_000_000;

    public static readonly PrivateKey OperatorKey = Key(1);
    public static readonly PrivateKey PayerKey = Key(2);
    public static readonly PrivateKey ProviderKey = Key(3);
    public static readonly PrivateKey StrangerKey = Key(4);

    public static PrivateKey Key(int i) => SignatureSchemes.Ed25519.ImportPrivateKey(Hash256.Compute(BitConverter.GetBytes(7000 + i)).ToArray());

    public static Amount M(long minorUnits) => Amount.FromMinorUnits(minorUnits);

    /// <summary>Terms between <see cref="PayerKey"/> and <see cref="ProviderKey"/>; by default 10 units of 100, collateral exactly enough.</summary>
    public static ChannelTerms Terms(
        TimingMode timing = TimingMode.PayAfterDelivery,
        long maxUnits = 10,
        long unitPrice = 100,
        long? maxTotal = null,
        long? collateral = null,
        PenaltyRule? penalty = null,
        ulong nonce = 7,
        long deadline = T0 + 60_000,
        long timeoutMs = 5_000,
        ChainId? chain = null)
    {
        long total = maxTotal ?? maxUnits * unitPrice;
        var rule = penalty ?? new PenaltyRule(M(50), 1_000);
        long largest = unitPrice > 0 ? Math.Min(maxUnits, total / unitPrice) * unitPrice : 0;
        rule.TryCompute(M(largest), out var onLargest);
        return new ChannelTerms
        {
            Chain = chain ?? Chain,
            Payer = PayerAccount,
            PayerKey = PayerKey.PublicKey,
            Provider = ProviderAccount,
            ProviderKey = ProviderKey.PublicKey,
            Asset = Cny,
            Nonce = nonce,
            UnitPrice = M(unitPrice),
            MaxUnits = maxUnits,
            MaxTotal = M(total),
            DeadlineUnixMs = deadline,
            Timing = timing,
            PaymentTimeoutMs = timeoutMs,
            Collateral = M(collateral ?? largest + onLargest.MinorUnits),
            Penalty = rule,
            PenaltyRecipient = PenaltyFund,
        };
    }

    public static ChannelAgreement Agree(ChannelTerms terms) => new(terms, terms.Sign(PayerKey), terms.Sign(ProviderKey));

    public static ChannelPayer Payer(ChannelAgreement agreement)
    {
        Assert.Equal(ChannelResultCode.Ok, ChannelPayer.TryCreate(agreement, PayerKey, T0, out var payer));
        return payer!;
    }

    /// <summary>A provider whose collateral is confirmed at <see cref="T0"/>.</summary>
    public static ChannelProvider ActiveProvider(ChannelAgreement agreement)
    {
        Assert.Equal(ChannelResultCode.Ok, ChannelProvider.TryCreate(agreement, T0, out var provider));
        Assert.Equal(ChannelResultCode.Ok, provider!.ConfirmCollateral(T0));
        return provider;
    }

    /// <summary>Signs an iterative transaction of the channel with any amount, nonce or key (for hostile cases).</summary>
    public static PaymentTransaction Iterative(ChannelTerms terms, long amount, ulong? nonce = null, PrivateKey? key = null, Hash256? channel = null, AccountId? payee = null) =>
        PaymentTransaction.Create(key ?? PayerKey, terms.Chain, terms.Payer, payee ?? terms.Provider, terms.Asset, M(amount), nonce ?? terms.Nonce, channel ?? terms.Id);

    /// <summary>
    /// Runs <paramref name="units"/> honest steps between the two endpoints (deliver + pay in the order the timing mode
    /// asks) and returns every transaction the payer signed.
    /// </summary>
    public static List<PaymentTransaction> RunHonest(ChannelPayer payer, ChannelProvider provider, int units, long now = T0 + 1)
    {
        var signed = new List<PaymentTransaction>();
        for (int i = 0; i < units; i++)
        {
            if (payer.Terms.Timing == TimingMode.Prepay)
            {
                signed.Add(Pay(payer, provider, now));
                Deliver(payer, provider, now);
            }
            else
            {
                Deliver(payer, provider, now);
                signed.Add(Pay(payer, provider, now));
            }
        }

        return signed;
    }

    private static PaymentTransaction Pay(ChannelPayer payer, ChannelProvider provider, long now)
    {
        var paid = payer.Pay(now);
        Assert.Equal(ChannelResultCode.Ok, paid.Code);
        Assert.Equal(ChannelResultCode.Ok, provider.Receive(Codec.Canonical.Encode(paid.Transaction!), now));
        return paid.Transaction!;
    }

    private static void Deliver(ChannelPayer payer, ChannelProvider provider, long now)
    {
        var delivered = provider.Deliver(now);
        Assert.Equal(ChannelResultCode.Ok, delivered.Code);
        Assert.Equal(ChannelResultCode.Ok, payer.OnDelivered(delivered.UnitIndex));
    }
}

/// <summary>
/// A <see cref="ChannelContract"/> driven directly (no consensus): each command becomes a signed
/// <see cref="ClientRequest"/> executed at <see cref="Now"/>, as a validator would execute a committed entry.
/// </summary>
internal sealed class ContractHarness
{
    private ulong _timestamp;

    public ContractHarness(long claimWindowMs = 10_000)
    {
        var options = new ChannelContractOptions { Chain = ChannelTestSupport.Chain, Operator = ChannelTestSupport.OperatorKey.PublicKey, ClaimWindowMs = claimWindowMs };
        options.Assets.Add(ChannelTestSupport.Cny);
        Contract = new ChannelContract(options);
    }

    public ChannelContract Contract { get; }

    public long Now { get; set; } = ChannelTestSupport.T0;

    /// <summary>Every amount brought onto the chain by deposits: what the asset's posted balances must always sum to.</summary>
    public long Deposited { get; private set; }

    /// <summary>A contract with the payer (funded), the provider, the penalty fund and a merchant registered.</summary>
    public static ContractHarness Funded(long payerFunds = 10_000, long claimWindowMs = 10_000)
    {
        var harness = new ContractHarness(claimWindowMs);
        harness.Ok(ChannelTestSupport.OperatorKey, new RegisterAccountCommand(ChannelTestSupport.PayerAccount, ChannelTestSupport.Bank, ChannelTestSupport.PayerKey.PublicKey, [ChannelTestSupport.Cny]));
        harness.Ok(ChannelTestSupport.OperatorKey, new RegisterAccountCommand(ChannelTestSupport.ProviderAccount, ChannelTestSupport.Bank, ChannelTestSupport.ProviderKey.PublicKey, [ChannelTestSupport.Cny]));
        harness.Ok(ChannelTestSupport.OperatorKey, new RegisterAccountCommand(ChannelTestSupport.PenaltyFund, ChannelTestSupport.Bank, null, [ChannelTestSupport.Cny]));
        harness.Ok(ChannelTestSupport.OperatorKey, new RegisterAccountCommand(ChannelTestSupport.Merchant, ChannelTestSupport.Bank, ChannelTestSupport.StrangerKey.PublicKey, [ChannelTestSupport.Cny]));
        if (payerFunds > 0)
        {
            harness.Deposit(ChannelTestSupport.PayerAccount, payerFunds);
        }

        return harness;
    }

    public ChannelReceipt Run(PrivateKey submitter, ChannelCommand command) =>
        Contract.Execute(ClientRequest.Create(submitter, ChannelTestSupport.Chain, ++_timestamp, command.ToPayload()), Now);

    public ChannelReceipt Ok(PrivateKey submitter, ChannelCommand command)
    {
        var receipt = Run(submitter, command);
        Assert.True(receipt.IsSuccess, $"{command.Kind}: {receipt.Code} {receipt.LedgerCode}");
        return receipt;
    }

    /// <summary>Runs a command that must be refused with <paramref name="expected"/> and change nothing at all.</summary>
    public ChannelReceipt Refused(PrivateKey submitter, ChannelCommand command, ChannelResultCode expected)
    {
        var before = Contract.ComputeStateHash();
        var receipt = Run(submitter, command);
        Assert.Equal(expected, receipt.Code);
        Assert.Equal(before, Contract.ComputeStateHash());
        return receipt;
    }

    public void Deposit(AccountId account, long amount)
    {
        Ok(ChannelTestSupport.OperatorKey, new DepositCommand(account, ChannelTestSupport.Cny, ChannelTestSupport.M(amount)));
        Deposited += amount;
    }

    public Balance Balance(AccountId account) =>
        Contract.TryGetBalance(account, ChannelTestSupport.Cny, out var balance) ? balance : throw new KeyNotFoundException(account.Value);

    public long Posted(AccountId account) => Balance(account).Posted.MinorUnits;

    /// <summary>Conservation: the posted balances sum to what was deposited, reservations balance, the collateral account holds nothing posted.</summary>
    public void AssertConservation()
    {
        long posted = 0, pendingDebits = 0, pendingCredits = 0;
        foreach (var account in Contract.GetAccountIds())
        {
            var b = Balance(account);
            posted = checked(posted + b.Posted.MinorUnits);
            pendingDebits += b.PendingDebits.MinorUnits;
            pendingCredits += b.PendingCredits.MinorUnits;
            Assert.True(b.Posted.MinorUnits >= 0, $"{account} went negative: {b}");
        }

        Assert.Equal(Deposited, posted);
        Assert.Equal(pendingDebits, pendingCredits);
        Assert.Equal(0, Posted(Contract.CollateralAccount));
    }
}
