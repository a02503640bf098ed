using ChainInterop.Codec;
using ChainInterop.Ledger;
using ChainInterop.Testing;
using FsCheck;
using FsCheck.Fluent;
using static ChainInterop.Tests.Ledger.LedgerTestSupport;

namespace ChainInterop.Tests.Ledger;

/// <summary>
/// Random command sequences over a few accounts, assets and ids (so that ids collide, accounts are missing, funds run
/// out and reservations expire), checked against the ledger's invariants.
/// </summary>
public class LedgerPropertyTests
{
    private const int Runs = 400;
    private const ulong MaxId = 12;

    private static readonly AccountId D = new("bank-d"); // sometimes opened, often not
    private static readonly AccountId[] Accounts = [A, B, C, D];
    private static readonly AssetCode[] Assets = [Cny, Usd, Eur];

    private sealed record Block(long Time, LedgerCommand[] Commands)
    {
        public override string ToString() => $"@{Time}: {string.Join("; ", Commands.Select(Describe))}";
    }

    private static string Describe(LedgerCommand c) => c switch
    {
        OpenAccountCommand o => $"Open({o.Account} [{string.Join(",", o.Assets)}] limits [{string.Join(",", o.CreditLimits)}])",
        IssueCommand i => $"Issue({i.Id.Value} {i.Account} {i.Asset} {i.Amount})",
        RedeemCommand r => $"Redeem({r.Id.Value} {r.Account} {r.Asset} {r.Amount})",
        TransferCommand t => $"Transfer({t.Id.Value} {t.Debit}->{t.Credit} {t.Asset} {t.Amount})",
        ReserveCommand r => $"Reserve({r.Id.Value} {r.Debit}->{r.Credit} {r.Asset} {r.Amount} exp {r.ExpiresAtUnixMs})",
        PostCommand p => $"Post({p.Id.Value} of {p.PendingId.Value} {p.Amount?.ToString() ?? "all"})",
        VoidCommand v => $"Void({v.Id.Value} of {v.PendingId.Value})",
        LinkedCommand l => $"Linked[{string.Join(", ", l.Commands.Select(Describe))}]",
        _ => c.GetType().Name,
    };

    // ---- generators -------------------------------------------------------------------------------

    private static readonly Gen<TransferId> Ids = Gen.Frequency(
        (20, Gen.Choose(1, (int)MaxId).Select(i => Id((ulong)i))),
        (1, Gen.Constant(TransferId.Zero)));

    private static readonly Gen<AccountId> AccountIds = Gen.Elements(Accounts);

    private static readonly Gen<AssetCode> AssetCodes = Gen.Elements(Assets);

    private static readonly Gen<Amount> Amounts = Gen.Frequency(
        (12, Gen.Choose(1, 400).Select(i => M(i))),
        (1, Gen.Elements(0L, -3L, long.MaxValue, long.MaxValue / 2 + 1).Select(M)));

    private static readonly Gen<LedgerCommand> Open =
        from account in AccountIds
        from n in Gen.Choose(0, 3)
        from assets in Gen.ArrayOf(AssetCodes, n)
        from limits in Gen.ArrayOf(Gen.Elements(0L, 0L, 0L, 100L, -1L).Select(M), n)
        from owner in Gen.Constant(Owner)
        select (LedgerCommand)new OpenAccountCommand(account, owner, assets, limits);

    private static readonly Gen<LedgerCommand> Simple = Gen.Frequency(
        (2, Open),
        (3, from id in Ids from a in AccountIds from s in AssetCodes from m in Amounts select (LedgerCommand)new IssueCommand(id, a, s, m)),
        (1, from id in Ids from a in AccountIds from s in AssetCodes from m in Amounts select (LedgerCommand)new RedeemCommand(id, a, s, m)),
        (3, from id in Ids from d in AccountIds from c in AccountIds from s in AssetCodes from m in Amounts
            select (LedgerCommand)new TransferCommand(id, d, c, s, m)),
        (5, from id in Ids from d in AccountIds from c in AccountIds from s in AssetCodes from m in Amounts from e in Gen.Choose(900, 3000)
            select (LedgerCommand)new ReserveCommand(id, d, c, s, m, e)),
        (4, from id in Ids from p in Ids from partial in Gen.Elements(false, true) from m in Amounts
            select (LedgerCommand)new PostCommand(id, p, partial ? m : null)),
        (2, from id in Ids from p in Ids select (LedgerCommand)new VoidCommand(id, p)));

    private static readonly Gen<LedgerCommand> Commands = Gen.Frequency(
        (9, Simple),
        (1, Gen.Choose(0, 4).SelectMany(n => Gen.ArrayOf(Simple, n)).Select(cs => (LedgerCommand)new LinkedCommand(cs))));

    /// <summary>A first block that opens and funds some accounts, then random blocks at non-decreasing times.</summary>
    private static readonly Gen<Block[]> Blocks =
        from count in Gen.Choose(1, 8)
        from deltas in Gen.ArrayOf(Gen.Frequency((3, Gen.Choose(0, 400)), (1, Gen.Constant(0))), count)
        from sizes in Gen.ArrayOf(Gen.Choose(0, 12), count)
        from commands in Gen.ArrayOf(Commands, sizes.Sum())
        from repeats in Gen.ArrayOf(Gen.Frequency((6, Gen.Constant(-1)), (1, Gen.Choose(0, 10))), sizes.Sum())
        select Build(deltas, sizes, commands, repeats);

    /// <summary>Lays the commands out in blocks; where <paramref name="repeats"/> says so, a command is a resubmission of an earlier one.</summary>
    private static Block[] Build(int[] deltas, int[] sizes, LedgerCommand[] commands, int[] repeats)
    {
        for (int i = 0; i < commands.Length; i++)
        {
            int earlier = i - 1 - repeats[i];
            if (repeats[i] >= 0 && earlier >= 0)
            {
                commands[i] = commands[earlier];
            }
        }

        var setup = new Block(1000,
        [
            new OpenAccountCommand(A, Owner, [Cny, Usd], [M(0), M(100)]),
            new OpenAccountCommand(B, Owner, [Cny, Usd, Eur]),
            new OpenAccountCommand(C, Owner, [Cny]),
            new IssueCommand(Id(100), A, Cny, M(500)),
            new IssueCommand(Id(101), B, Usd, M(500)),
            new IssueCommand(Id(102), C, Cny, M(300)),
        ]);
        var blocks = new List<Block> { setup };
        long time = 1000;
        int next = 0;
        for (int i = 0; i < deltas.Length; i++)
        {
            time += deltas[i];
            blocks.Add(new Block(time, commands[next..(next + sizes[i])]));
            next += sizes[i];
        }

        return [.. blocks];
    }

    // ---- shrinking: fewer blocks and commands, never the setup block ------------------------------

    /// <summary>A linked group shrinks to one of its commands or to a smaller group; other commands do not shrink.</summary>
    private static IEnumerable<LedgerCommand> ShrinkCommand(LedgerCommand command) => command is LinkedCommand l
        ? l.Commands.Concat(Shrink.Array([.. l.Commands]).Select(cs => (LedgerCommand)new LinkedCommand(cs)))
        : [];

    /// <summary>Drops later blocks, then commands; the first block (opening and funding the accounts) always stays.</summary>
    private static IEnumerable<Block[]> ShrinkBlocks(Block[] blocks)
    {
        for (int i = blocks.Length - 1; i >= 1; i--)
        {
            yield return [.. blocks[..i], .. blocks[(i + 1)..]];
        }

        for (int i = 1; i < blocks.Length; i++)
        {
            foreach (var commands in Shrink.Array(blocks[i].Commands, ShrinkCommand))
            {
                yield return [.. blocks[..i], blocks[i] with { Commands = commands }, .. blocks[(i + 1)..]];
            }
        }
    }

    private static readonly Arbitrary<LedgerCommand> CommandArb = Arb.From(Commands, ShrinkCommand);

    private static readonly Arbitrary<Block[]> BlockArb = Arb.From(Blocks, ShrinkBlocks);

    // ---- the model: what the invariants are measured against ---------------------------------------

    /// <summary>Issued minus redeemed per asset, from the commands that applied.</summary>
    private static void CountSupply(LedgerCommand command, LedgerResult result, Dictionary<AssetCode, Int128> supply)
    {
        if (result.Code != LedgerResultCode.Ok)
        {
            return;
        }

        IEnumerable<LedgerCommand> applied = command is LinkedCommand l ? l.Commands : [command];
        foreach (var c in applied)
        {
            switch (c)
            {
                case IssueCommand i:
                    supply[i.Asset] = supply.GetValueOrDefault(i.Asset) + i.Amount.MinorUnits;
                    break;
                case RedeemCommand r:
                    supply[r.Asset] = supply.GetValueOrDefault(r.Asset) - r.Amount.MinorUnits;
                    break;
            }
        }
    }

    private static void CheckInvariants(AccountLedger ledger, Dictionary<AssetCode, Int128> supply)
    {
        var live = new Dictionary<AssetCode, Int128>();
        IEnumerable<ulong> allIds = [.. Enumerable.Range(1, (int)MaxId).Select(i => (ulong)i), 100, 101, 102];
        foreach (ulong n in allIds)
        {
            if (ledger.TryGetTransfer(Id(n), out var t) && t.State == TransferState.Pending)
            {
                live[t.Asset] = live.GetValueOrDefault(t.Asset) + t.Amount.MinorUnits;
            }
        }

        var resolutions = new Dictionary<TransferId, int>();
        foreach (var asset in Assets)
        {
            Int128 posted = 0, pendingDebits = 0, pendingCredits = 0;
            foreach (var account in ledger.GetAccountIds())
            {
                if (!ledger.TryGetBalance(account, asset, out var b))
                {
                    continue;
                }

                posted += b.Posted.MinorUnits;
                pendingDebits += b.PendingDebits.MinorUnits;
                pendingCredits += b.PendingCredits.MinorUnits;
                Assert.True(b.Posted.MinorUnits - b.PendingDebits.MinorUnits >= -b.CreditLimit.MinorUnits, $"{account} {asset} below its credit limit: {b}");
                Assert.True(b.Available.MinorUnits >= 0);
                Assert.True(b.PendingDebits.MinorUnits >= 0 && b.PendingCredits.MinorUnits >= 0);
            }

            Assert.Equal(supply.GetValueOrDefault(asset), posted);
            Assert.Equal(live.GetValueOrDefault(asset), pendingDebits);
            Assert.Equal(live.GetValueOrDefault(asset), pendingCredits);
        }

        // No reservation resolves twice: at most one post, void or expiry per reservation, and only if it is resolved.
        foreach (var account in ledger.GetAccountIds())
        {
            foreach (var p in ledger.GetHistory(account, maxCount: AccountLedger.MaxHistoryPageCount))
            {
                if (p.Side == PostingSide.Debit && p.Kind is PostingKind.Post or PostingKind.Void or PostingKind.Expire)
                {
                    resolutions[p.PendingId] = resolutions.GetValueOrDefault(p.PendingId) + 1;
                }
            }
        }

        foreach (var (pending, count) in resolutions)
        {
            Assert.Equal(1, count);
            Assert.True(ledger.TryGetTransfer(pending, out var r));
            Assert.NotEqual(TransferState.Pending, r.State);
        }
    }

    private static (List<LedgerResult> Results, AccountLedger Ledger) Replay(Block[] blocks, AccountLedger? ledger = null)
    {
        ledger ??= new AccountLedger();
        var results = new List<LedgerResult>();
        foreach (var block in blocks)
        {
            results.AddRange(ledger.ApplyBlock(block.Commands, block.Time));
        }

        return (results, ledger);
    }

    // ---- properties -------------------------------------------------------------------------------

    [Property(MaxTest = Runs)]
    public Property Random_sequences_keep_supply_pending_and_credit_invariants_and_failures_change_nothing_S2() =>
        Prop.ForAll(BlockArb, blocks =>
        {
            var ledger = new AccountLedger();
            var supply = new Dictionary<AssetCode, Int128>();
            var resolved = new HashSet<TransferId>();
            foreach (var block in blocks)
            {
                ledger.ApplyBlock([], block.Time);
                CheckInvariants(ledger, supply);
                foreach (var command in block.Commands)
                {
                    var before = ledger.ExportSnapshot();
                    var result = ledger.Apply(command, block.Time);
                    if (result.Code != LedgerResultCode.Ok)
                    {
                        Assert.Equal(before, ledger.ExportSnapshot());
                    }

                    CountSupply(command, result, supply);
                    if (result.Code == LedgerResultCode.Ok)
                    {
                        IEnumerable<LedgerCommand> applied = command is LinkedCommand l ? l.Commands : [command];
                        foreach (var c in applied)
                        {
                            var pending = c switch { PostCommand p => p.PendingId, VoidCommand v => v.PendingId, _ => TransferId.Zero };
                            Assert.True(pending.IsZero || resolved.Add(pending), $"reservation {pending} resolved twice");
                        }
                    }

                    CheckInvariants(ledger, supply);
                }
            }
        });

    [Fact]
    public void The_generator_reaches_the_interesting_outcomes_S2()
    {
        LedgerResultCode[] expected =
        [
            LedgerResultCode.Ok, LedgerResultCode.AlreadyApplied, LedgerResultCode.DuplicateId, LedgerResultCode.UnknownAccount,
            LedgerResultCode.AccountExists, LedgerResultCode.NoAssociatedAsset, LedgerResultCode.InsufficientAssets,
            LedgerResultCode.InvalidAmount, LedgerResultCode.SameAccount, LedgerResultCode.UnknownPending,
            LedgerResultCode.AlreadyResolved, LedgerResultCode.Expired, LedgerResultCode.AmountExceedsPending,
            LedgerResultCode.BalanceOverflow, LedgerResultCode.NotPending, LedgerResultCode.InvalidCommand,
        ];

        // Rare outcomes may be missing from one random sample; keep sampling (bounded) until every outcome appeared,
        // so the test fails only when the generator really cannot reach one.
        var seen = new HashSet<LedgerResultCode>();
        for (int round = 0; round < 20 && expected.Except(seen).Any(); round++)
        {
            foreach (var blocks in Blocks.Sample(Runs, 50))
            {
                var (results, _) = Replay(blocks);
                seen.UnionWith(results.Select(r => r.Code));
            }
        }

        Assert.Empty(expected.Except(seen));
    }

    [Property(MaxTest = Runs)]
    public Property Replaying_the_same_blocks_into_a_fresh_ledger_gives_the_same_results_and_state_hash_S2() =>
        Prop.ForAll(BlockArb, blocks =>
        {
            var (results1, ledger1) = Replay(blocks);
            var (results2, ledger2) = Replay(blocks);
            Assert.Equal(results1, results2);
            Assert.Equal(ledger1.ComputeStateHash(), ledger2.ComputeStateHash());

            // Applying command by command gives what whole blocks give.
            var one = new AccountLedger();
            var results3 = new List<LedgerResult>();
            foreach (var block in blocks)
            {
                one.ApplyBlock([], block.Time);
                results3.AddRange(block.Commands.Select(c => one.Apply(c, block.Time)));
            }

            Assert.Equal(results1, results3);
            Assert.Equal(ledger1.ComputeStateHash(), one.ComputeStateHash());
        });

    /// <summary>Blocks and where to split them (0 to all); a shrunk split stays inside its blocks.</summary>
    private static readonly Arbitrary<(Block[] Blocks, int Split)> SplitBlocks = Arb.From<(Block[] Blocks, int Split)>(
        Blocks.SelectMany(b => Gen.Choose(0, b.Length).Select(split => (b, split))),
        t => ShrinkBlocks(t.Blocks).Select(b => (b, Math.Min(t.Split, b.Length)))
            .Concat(Shrink.Toward(t.Split, 0).Select(split => (t.Blocks, split))));

    [Property(MaxTest = Runs)]
    public Property Snapshot_import_gives_the_same_hash_and_continues_exactly_like_the_original_C5() =>
        Prop.ForAll(SplitBlocks, t =>
        {
            var (blocks, split) = t;
            var (all, original) = Replay(blocks);

            var (first, partial) = Replay(blocks[..split]);
            byte[] snapshot = partial.ExportSnapshot();
            var imported = AccountLedger.ImportSnapshot(snapshot);
            Assert.Equal(snapshot, imported.ExportSnapshot());
            Assert.Equal(partial.ComputeStateHash(), imported.ComputeStateHash());

            var (rest, continued) = Replay(blocks[split..], imported);
            Assert.Equal(all, first.Concat(rest));
            Assert.Equal(original.ComputeStateHash(), continued.ComputeStateHash());
            Assert.Equal(original.PendingCount, continued.PendingCount);
        });

    [Property(MaxTest = 1000)]
    public Property Every_command_round_trips_the_canonical_codec_byte_for_byte_C2() =>
        Prop.ForAll(CommandArb, command =>
        {
            byte[] bytes = Canonical.Encode(command);
            var decoded = Canonical.Decode<LedgerCommand>(bytes);
            Assert.Equal(command.GetType(), decoded.GetType());
            Assert.Equal(command.Kind, decoded.Kind);
            Assert.Equal(bytes, Canonical.Encode(decoded));
            Assert.Equal(bytes, decoded.ToCanonicalBytes());
            Assert.Equal(Describe(command), Describe(decoded));
            Canonical.Validate(new System.Buffers.ReadOnlySequence<byte>(bytes));
        });

    /// <summary>Up to 60 bytes, biased toward array headers, small command kinds and other markers.</summary>
    private static readonly Arbitrary<byte[]> MarkerBiasedBytes = CommonArbitraries.Bytes(Gen.Choose(0, 60), Gen.Frequency(
        (3, CommonArbitraries.Byte.Generator),
        (2, Gen.Elements<byte>(0x90, 0x92, 0x93, 0x95, 0x96, 0x97, 0x01, 0x02, 0x05, 0x06, 0x07, 0x08, 0xc0, 0xc4, 0x10, 0xa3, 0xd3, 0xdc, 0xff))));

    [Property(MaxTest = 3000)]
    public Property Decoding_arbitrary_bytes_only_ever_throws_CodecException_C2() =>
        Prop.ForAll(MarkerBiasedBytes, input => DecodeOnlyThrowsCodecException(input));

    /// <summary>A command's encoding with byte <c>At</c> replaced by <c>What</c>, and a cut at <c>Cut</c>.</summary>
    private sealed record CommandMutation(LedgerCommand Command, int At, byte What, int Cut)
    {
        public override string ToString() => $"{Describe(Command)} at {At} put {What:x2}, cut at {Cut}";
    }

    /// <summary>At and Cut always lie inside the command's encoding, also after shrinking.</summary>
    private static readonly Arbitrary<CommandMutation> CommandMutations = Arb.From(
        from command in Commands
        let length = Canonical.Encode(command).Length
        from at in Gen.Choose(0, length - 1)
        from what in CommonArbitraries.Byte.Generator
        from cut in Gen.Choose(0, length)
        select new CommandMutation(command, at, what, cut),
        m => ShrinkCommand(m.Command).Select(c => (Command: c, Length: Canonical.Encode(c).Length))
            .Select(c => m with { Command = c.Command, At = Math.Min(m.At, c.Length - 1), Cut = Math.Min(m.Cut, c.Length) })
            .Concat(Shrink.Toward(m.At, 0).Select(at => m with { At = at }))
            .Concat(Shrink.Toward(m.What, (byte)0).Select(what => m with { What = what }))
            .Concat(Shrink.Toward(m.Cut, 0).Select(cut => m with { Cut = cut })));

    [Property(MaxTest = 2000)]
    public Property Decoding_mutated_or_truncated_commands_only_ever_throws_CodecException_C2() =>
        Prop.ForAll(CommandMutations, m =>
        {
            byte[] encoded = Canonical.Encode(m.Command);
            byte[] changed = (byte[])encoded.Clone();
            changed[m.At] = m.What;
            DecodeOnlyThrowsCodecException(changed);
            DecodeOnlyThrowsCodecException(encoded[..m.Cut]);
        });

    private static void DecodeOnlyThrowsCodecException(byte[] input)
    {
        try
        {
            var reader = new CanonicalReader(input);
            var command = LedgerCommand.Decode(ref reader);
            // Whatever decodes re-encodes to exactly the bytes it came from (one byte form).
            Assert.Equal(input.AsSpan(0, (int)reader.Consumed).ToArray(), Canonical.Encode(command));
        }
        catch (CodecException)
        {
        }
    }
}
