using BenchmarkDotNet.Attributes;
using ChainInterop.Ledger;

namespace ChainInterop.Benchmarks;

/// <summary>
/// The account chain (ABC) state machine (S2): two-phase transfers over 10,000 accounts × 3 assets. One operation is one
/// two-phase transfer; each invocation applies a batch of 8,000 of them as two blocks: 8,000 <see cref="ReserveCommand"/>s,
/// then the 8,000 <see cref="PostCommand"/>s that commit them (16,000 commands). Every invocation uses new ids; each
/// iteration starts from a freshly funded ledger so the id index grows as it would in production but memory stays bounded.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("ledger")]
public class LedgerBenchmarks
{
    private const int Accounts = 10_000;
    private const int TransfersPerBatch = 8_000;
    private const int BatchesPerIteration = 16;

    private static readonly AssetCode[] Assets = [new("CNY"), new("USD"), new("EUR")];

    private AccountId[] _accounts = null!;
    private LedgerCommand[][] _reserves = null!;
    private LedgerCommand[][] _posts = null!;
    private readonly LedgerResult[] _results = new LedgerResult[TransfersPerBatch];
    private AccountLedger _ledger = null!;
    private int _batch;
    private long _time;

    /// <summary>Whether the ledger is created with room for every id of the iteration (no index growth).</summary>
    [Params(false, true)]
    public bool Presized { get; set; }

    /// <summary>Whether ids are sequential (locality in the id index) or SHA-256 derived like cross-chain ids (<see cref="TransferId.FromHash"/>, uniformly spread).</summary>
    [Params(false, true)]
    public bool HashIds { get; set; }

    private TransferId NextId(ref ulong counter)
    {
        ulong n = counter++;
        return HashIds ? TransferId.FromHash(Crypto.Hash256.Compute(BitConverter.GetBytes(n))) : TransferId.FromUInt64(n);
    }

    [GlobalSetup]
    public void Setup()
    {
        _accounts = Enumerable.Range(0, Accounts).Select(i => new AccountId($"bank-{i:D5}")).ToArray();
        var random = new Random(42);
        _reserves = new LedgerCommand[BatchesPerIteration][];
        _posts = new LedgerCommand[BatchesPerIteration][];
        ulong id = 1;
        for (int b = 0; b < BatchesPerIteration; b++)
        {
            _reserves[b] = new LedgerCommand[TransfersPerBatch];
            _posts[b] = new LedgerCommand[TransfersPerBatch];
            for (int i = 0; i < TransfersPerBatch; i++)
            {
                int debit = random.Next(Accounts);
                int credit = (debit + 1 + random.Next(Accounts - 1)) % Accounts;
                var reserveId = NextId(ref id);
                _reserves[b][i] = new ReserveCommand(
                    reserveId, _accounts[debit], _accounts[credit], Assets[random.Next(Assets.Length)],
                    Amount.FromMinorUnits(1 + random.Next(10_000)), long.MaxValue);
                _posts[b][i] = new PostCommand(NextId(ref id), reserveId);
            }
        }

        // Sanity: every command of every batch applies.
        IterationSetup();
        for (int b = 0; b < BatchesPerIteration; b++)
        {
            ApplyTwoPhaseBatch();
            if (Array.Exists(_results, r => r.Code != LedgerResultCode.Ok))
            {
                throw new InvalidOperationException("A benchmark command failed.");
            }
        }
    }

    [IterationSetup]
    public void IterationSetup()
    {
        _ledger = new AccountLedger(Presized ? 2 * TransfersPerBatch * BatchesPerIteration + (Accounts * Assets.Length) : 0);
        var setup = new List<LedgerCommand>();
        ulong issueId = ulong.MaxValue;
        foreach (var account in _accounts)
        {
            setup.Add(new OpenAccountCommand(account, new InstitutionId("icc-1"), Assets));
            foreach (var asset in Assets)
            {
                setup.Add(new IssueCommand(TransferId.FromUInt64(issueId--), account, asset, Amount.FromMinorUnits(1_000_000_000)));
            }
        }

        _ledger.ApplyBlock(setup, 0);
        _batch = 0;
        _time = 1;
    }

    /// <summary>8,000 reservations in one block, then their 8,000 posts in the next.</summary>
    [Benchmark(OperationsPerInvoke = TransfersPerBatch)]
    [InvocationCount(BatchesPerIteration)]
    public LedgerResult ApplyTwoPhaseBatch()
    {
        int b = _batch++;
        _ledger.ApplyBlock(_reserves[b], _time++, _results);
        _ledger.ApplyBlock(_posts[b], _time++, _results);
        return _results[^1];
    }
}
