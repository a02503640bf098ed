using System.Text;
using ChainInterop.Crypto;
using ChainInterop.Ledger;
using ChainInterop.Settlement.Vouchers;

namespace ChainInterop.Settlement.Tests.Vouchers;

/// <summary>
/// The cross-bank card payment of seed 001 [0084]: user A of ICBC (the destination, its own bank) pays at a merchant
/// of CCB (the originator); a card scheme is the auxiliary institution; a clearing house is the third party. Fees:
/// ICBC pays CCB a 0.50 % service fee on the user's behalf, CCB pays ICBC a 0.20 % interchange fee, so both banks
/// owe something and both publish a clearing voucher.
/// </summary>
internal sealed class VoucherWorld : IDisposable
{
    public const long StartMs = 1_700_000_000_000;

    public static readonly InstitutionId Ccb = new("bank-ccb");
    public static readonly InstitutionId Icbc = new("bank-icbc");
    public static readonly InstitutionId Boc = new("bank-boc");
    public static readonly InstitutionId Scheme = new("card-scheme");
    public static readonly InstitutionId House = new("clearing-house");
    public static readonly InstitutionId Stranger = new("bank-unknown");
    public static readonly AssetCode Cny = new("CNY");
    public static readonly UserId UserA = new("user-a");
    public static readonly AccountId UserAWallet = new("icbc:user-a");
    public static readonly UserId Merchant = new("merchant-7");
    public static readonly AccountId MerchantWallet = new("ccb:merchant-7");

    public static readonly FeeSchedule Fees = new(
    [
        new FeeRule(TransactionType.Purchase, FeePayer.UserInstitution, 50, Amount.Zero),
        new FeeRule(TransactionType.Purchase, FeePayer.Originator, 20, Amount.Zero),
    ]);

    private readonly Dictionary<InstitutionId, PrivateKey> _keys = [];

    public VoucherWorld(VoucherProtocolOptions? options = null, Func<TransactionVoucher, VoucherFailure>? schemeCheck = null, long icbcFunds = 1_000_000_00)
    {
        foreach (var id in new[] { Ccb, Icbc, Boc, Scheme, House, Stranger })
        {
            _keys[id] = KeyOf(id.Value);
        }

        Directory = new InstitutionDirectory(
        [
            Entry(Ccb), Entry(Icbc), Entry(Boc), Entry(Scheme), Entry(House, retention: true),
        ]);
        Options = options ?? new VoucherProtocolOptions { Fees = Fees };
        Ledger = new AccountLedger();
        Ledger.ApplyBlock(
        [
            new OpenAccountCommand(SettlementAccount(Ccb), Ccb, [Cny]),
            new OpenAccountCommand(SettlementAccount(Icbc), Icbc, [Cny]),
            new OpenAccountCommand(SettlementAccount(Boc), Boc, [Cny]),
            new IssueCommand(TransferId.FromUInt64(1), SettlementAccount(Ccb), Cny, Amount.FromMinorUnits(500_000_00)),
            new IssueCommand(TransferId.FromUInt64(2), SettlementAccount(Icbc), Cny, Amount.FromMinorUnits(icbcFunds)),
        ], StartMs - 60_000);

        Originator = new OriginatingInstitution(Ccb, Key(Ccb), Directory, Ledger, House, Options);
        Originator.AddUser(new UserEntitlement(Merchant, MerchantWallet, [TransactionType.Purchase, TransactionType.Deposit], Amount.FromMinorUnits(50_000_00)));
        Destination = new DestinationInstitution(Icbc, Key(Icbc), Directory, Ledger, [Cny], Options);
        Destination.AddCustomer(new CustomerAccount(UserA, UserAWallet, Cny, Amount.FromMinorUnits(5_000_00), Amount.FromMinorUnits(2_000_00)));
        SecondDestination = new DestinationInstitution(Boc, Key(Boc), Directory, Ledger, [Cny], Options);
        Auxiliary = new AuxiliaryInstitution(Scheme, Key(Scheme), Directory, schemeCheck ?? (_ => VoucherFailure.None), Options);
        ThirdParty = new RetentionInstitution(House, Key(House), Directory, Options);
        Network = new InMemoryVoucherNetwork(StartMs);
        Network.Add(Originator);
        Network.Add(Destination);
        Network.Add(SecondDestination);
        Network.Add(Auxiliary);
        Network.Add(ThirdParty);
    }

    public InstitutionDirectory Directory { get; }

    public VoucherProtocolOptions Options { get; }

    public AccountLedger Ledger { get; }

    public OriginatingInstitution Originator { get; }

    public DestinationInstitution Destination { get; }

    public DestinationInstitution SecondDestination { get; }

    public AuxiliaryInstitution Auxiliary { get; }

    public RetentionInstitution ThirdParty { get; }

    public InMemoryVoucherNetwork Network { get; }

    public static AccountId SettlementAccount(InstitutionId id) => new($"{id}:settlement");

    /// <summary>A deterministic key per name (tests only: not secret).</summary>
    public static PrivateKey KeyOf(string name) => SignatureSchemes.Ed25519.ImportPrivateKey(Hash256.Compute(Encoding.UTF8.GetBytes("voucher-test/" + name)).ToArray());

    public PrivateKey Key(InstitutionId id) => _keys[id];

    /// <summary>User A (an ICBC customer) pays at CCB's merchant: a foreign-user request at the originator.</summary>
    public static PaymentRequest CardPayment(long minorUnits = 100_00, bool withScheme = false, ulong nonce = 1) =>
        new(UserA, Icbc, UserAWallet, TransactionType.Purchase, Cny, Amount.FromMinorUnits(minorUnits), [Icbc], withScheme ? [Scheme] : null, nonce);

    /// <summary>Submits at the originator and runs the network until quiet.</summary>
    public VoucherStep Submit(PaymentRequest request)
    {
        var step = Originator.Submit(request, Network.NowMs);
        Network.Accept(step);
        Network.Run();
        return step;
    }

    /// <summary>The voucher id of the first voucher the originator sent.</summary>
    public static Hash256 VoucherIdOf(VoucherStep submitted) => ((CoSignRequest)submitted.Messages[0].Message).Voucher.Id;

    public IEnumerable<FlowEvent> EventsOf(InstitutionId institution, FlowEventKind kind) =>
        Network.Events.Where(e => e.Institution == institution && e.Kind == kind);

    public FlowEvent Single(InstitutionId institution, FlowEventKind kind) => Assert.Single(EventsOf(institution, kind));

    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            key.Dispose();
        }
    }

    private InstitutionEntry Entry(InstitutionId id, bool retention = false) => new(id, _keys[id].PublicKey, SettlementAccount(id), retention);
}
