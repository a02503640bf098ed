using ChainInterop.Codec;
using ChainInterop.Crypto;
using ChainInterop.Ledger;
using static ChainInterop.Tests.Ledger.LedgerTestSupport;

namespace ChainInterop.Tests.Ledger;

public class AccountLedgerTests
{
    [Fact]
    public void Open_issue_and_transfer_move_funds_and_record_history_S2()
    {
        var ledger = Funded();
        Ok(ledger, new TransferCommand(Id(1), A, B, Cny, M(300)));

        Assert.Equal(new Balance(M(700), M(0), M(0), M(0)), Bal(ledger, A, Cny));
        Assert.Equal(M(300), Bal(ledger, B, Cny).Posted);
        Assert.Equal(M(700), Bal(ledger, A, Cny).Available);

        var history = ledger.GetHistory(A, Cny);
        Assert.Equal(2, history.Count);
        Assert.Equal(PostingKind.Issue, history[0].Kind);
        var debit = history[1];
        Assert.Equal((Id(1), PostingKind.Transfer, PostingSide.Debit, M(-300), B, 1000L),
            (debit.TransferId, debit.Kind, debit.Side, debit.PostedDelta, debit.Counterparty, debit.BlockTimeUnixMs));
        var credit = Assert.Single(ledger.GetHistory(B));
        Assert.Equal((M(300), A), (credit.PostedDelta, credit.Counterparty));
        Assert.True(credit.Sequence > debit.Sequence);

        Assert.True(ledger.TryGetAccount(C, out var info));
        Assert.Equal([Cny], info.Assets);
        Assert.Equal(Owner, info.Owner);
        Assert.False(ledger.TryGetAccount(Nobody, out _));
        Assert.False(ledger.TryGetBalance(C, Usd, out _));
        Assert.Throws<KeyNotFoundException>(() => ledger.GetBalance(C, Usd));
    }

    [Fact]
    public void Reserve_then_post_moves_funds_exactly_once_S2()
    {
        var ledger = Funded();
        Ok(ledger, new ReserveCommand(Id(1), A, B, Cny, M(400), 5000));
        Assert.Equal(new Balance(M(1000), M(400), M(0), M(0)), Bal(ledger, A, Cny));
        Assert.Equal(new Balance(M(0), M(0), M(400), M(0)), Bal(ledger, B, Cny));
        Assert.Equal(M(600), Bal(ledger, A, Cny).Available);
        Assert.Equal(1, ledger.PendingCount);

        Ok(ledger, new PostCommand(Id(2), Id(1)));
        Assert.Equal(new Balance(M(600), M(0), M(0), M(0)), Bal(ledger, A, Cny));
        Assert.Equal(new Balance(M(400), M(0), M(0), M(0)), Bal(ledger, B, Cny));
        Assert.Equal(0, ledger.PendingCount);
        Assert.True(ledger.TryGetTransfer(Id(1), out var reservation));
        Assert.Equal(TransferState.Posted, reservation.State);

        // Committing again, under any id, moves nothing.
        FailsWithoutEffect(ledger, new PostCommand(Id(3), Id(1)), LedgerResultCode.AlreadyResolved);
        FailsWithoutEffect(ledger, new VoidCommand(Id(4), Id(1)), LedgerResultCode.AlreadyResolved);
        var before = ledger.ExportSnapshot();
        Assert.Equal(LedgerResultCode.AlreadyApplied, ledger.Apply(new PostCommand(Id(2), Id(1)), 1000).Code);
        Assert.Equal(before, ledger.ExportSnapshot());
    }

    [Fact]
    public void Partial_post_commits_part_and_releases_the_remainder_S2()
    {
        var ledger = Funded();
        Ok(ledger, new ReserveCommand(Id(1), A, B, Cny, M(400), 5000));
        FailsWithoutEffect(ledger, new PostCommand(Id(2), Id(1), M(401)), LedgerResultCode.AmountExceedsPending);
        FailsWithoutEffect(ledger, new PostCommand(Id(2), Id(1), M(0)), LedgerResultCode.InvalidAmount);
        Ok(ledger, new PostCommand(Id(2), Id(1), M(150)));
        Assert.Equal(new Balance(M(850), M(0), M(0), M(0)), Bal(ledger, A, Cny));
        Assert.Equal(new Balance(M(150), M(0), M(0), M(0)), Bal(ledger, B, Cny));
        var post = ledger.GetHistory(A)[^1];
        Assert.Equal((PostingKind.Post, M(-150), M(-400), Id(1)), (post.Kind, post.PostedDelta, post.PendingDelta, post.PendingId));

        // A resubmission must name the same amount: null ("all") is a different command.
        FailsWithoutEffect(ledger, new PostCommand(Id(2), Id(1)), LedgerResultCode.DuplicateId);
        Assert.Equal(LedgerResultCode.AlreadyApplied, ledger.Apply(new PostCommand(Id(2), Id(1), M(150)), 1000).Code);
    }

    [Fact]
    public void Reserve_then_void_releases_everything_S2()
    {
        var ledger = Funded();
        var before = Bal(ledger, A, Cny);
        Ok(ledger, new ReserveCommand(Id(1), A, B, Cny, M(1000), 5000));
        FailsWithoutEffect(ledger, new TransferCommand(Id(5), A, C, Cny, M(1)), LedgerResultCode.InsufficientAssets);
        Ok(ledger, new VoidCommand(Id(2), Id(1)));
        Assert.Equal(before, Bal(ledger, A, Cny));
        Assert.Equal(default, Bal(ledger, B, Cny));
        FailsWithoutEffect(ledger, new VoidCommand(Id(3), Id(1)), LedgerResultCode.AlreadyResolved);
        FailsWithoutEffect(ledger, new PostCommand(Id(3), Id(1)), LedgerResultCode.AlreadyResolved);
        Assert.True(ledger.TryGetTransfer(Id(1), out var r));
        Assert.Equal(TransferState.Voided, r.State);
    }

    [Fact]
    public void Expiry_at_block_time_releases_funds_and_later_post_or_void_is_Expired_S2()
    {
        var ledger = Funded();
        Ok(ledger, new ReserveCommand(Id(2), A, B, Cny, M(100), 5000));
        Ok(ledger, new ReserveCommand(Id(1), A, C, Cny, M(200), 4000));
        Ok(ledger, new ReserveCommand(Id(3), A, B, Cny, M(50), 9000));

        // A block before the expiries changes nothing.
        ledger.ApplyBlock([], 3999);
        Assert.Equal(3, ledger.PendingCount);

        // The block at exactly 5000 expires ids 1 and 2 (in id order), not 3.
        ledger.ApplyBlock([], 5000);
        Assert.Equal(1, ledger.PendingCount);
        Assert.Equal(new Balance(M(1000), M(50), M(0), M(0)), Bal(ledger, A, Cny));
        Assert.Equal(new Balance(M(0), M(0), M(50), M(0)), Bal(ledger, B, Cny));
        var expiries = ledger.GetHistory(A).Where(p => p.Kind == PostingKind.Expire).ToList();
        Assert.Equal([Id(1), Id(2)], expiries.Select(p => p.PendingId));
        Assert.All(expiries, p => Assert.Equal(5000, p.BlockTimeUnixMs));

        FailsWithoutEffect(ledger, new PostCommand(Id(10), Id(1)), LedgerResultCode.Expired, 5000);
        FailsWithoutEffect(ledger, new VoidCommand(Id(11), Id(2)), LedgerResultCode.Expired, 5000);
        Assert.True(ledger.TryGetTransfer(Id(1), out var r));
        Assert.Equal(TransferState.Expired, r.State);

        // A new reservation must expire after the block it is applied in.
        FailsWithoutEffect(ledger, new ReserveCommand(Id(12), A, B, Cny, M(1), 5000), LedgerResultCode.Expired, 5000);
        Ok(ledger, new ReserveCommand(Id(12), A, B, Cny, M(1), 5001), 5000);

        // Apply on its own is a block too: it expires what is due first.
        Assert.Equal(LedgerResultCode.Expired, ledger.Apply(new PostCommand(Id(13), Id(3)), 9000).Code);
        Assert.Equal(0, ledger.PendingCount);
    }

    [Fact]
    public void Resubmitting_the_same_command_is_AlreadyApplied_and_changes_nothing_S2()
    {
        var ledger = Funded();
        LedgerCommand[] commands =
        [
            new TransferCommand(Id(1), A, B, Cny, M(10)),
            new ReserveCommand(Id(2), A, B, Cny, M(10), 5000),
            new VoidCommand(Id(3), Id(2)),
            new IssueCommand(Id(4), B, Usd, M(10)),
            new RedeemCommand(Id(5), B, Usd, M(10)),
        ];
        foreach (var c in commands)
        {
            Ok(ledger, c);
        }

        foreach (var c in commands)
        {
            FailsWithoutEffect(ledger, c, LedgerResultCode.AlreadyApplied);
            // Decoded copies are the same command too.
            FailsWithoutEffect(ledger, Canonical.Decode<LedgerCommand>(Canonical.Encode(c)), LedgerResultCode.AlreadyApplied);
        }
    }

    [Fact]
    public void Same_id_with_different_fields_is_DuplicateId_S2()
    {
        var ledger = Funded();
        Ok(ledger, new TransferCommand(Id(1), A, B, Cny, M(10)));
        Ok(ledger, new ReserveCommand(Id(2), A, B, Cny, M(10), 5000));
        FailsWithoutEffect(ledger, new TransferCommand(Id(1), A, B, Cny, M(11)), LedgerResultCode.DuplicateId);
        FailsWithoutEffect(ledger, new TransferCommand(Id(1), A, C, Cny, M(10)), LedgerResultCode.DuplicateId);
        FailsWithoutEffect(ledger, new TransferCommand(Id(1), A, B, Usd, M(10)), LedgerResultCode.DuplicateId);
        FailsWithoutEffect(ledger, new ReserveCommand(Id(1), A, B, Cny, M(10), 5000), LedgerResultCode.DuplicateId);
        FailsWithoutEffect(ledger, new ReserveCommand(Id(2), A, B, Cny, M(10), 5001), LedgerResultCode.DuplicateId);
        FailsWithoutEffect(ledger, new IssueCommand(Id(2), A, Cny, M(10)), LedgerResultCode.DuplicateId);
        FailsWithoutEffect(ledger, new RedeemCommand(Id(1), A, Cny, M(10)), LedgerResultCode.DuplicateId);
        FailsWithoutEffect(ledger, new VoidCommand(Id(1), Id(2)), LedgerResultCode.DuplicateId);
        Ok(ledger, new VoidCommand(Id(3), Id(2)));
        FailsWithoutEffect(ledger, new PostCommand(Id(3), Id(2)), LedgerResultCode.DuplicateId);
    }

    [Fact]
    public void Credit_limit_allows_going_negative_exactly_down_to_the_limit_S2()
    {
        var ledger = new AccountLedger();
        Ok(ledger, new OpenAccountCommand(A, Owner, [Cny, Usd], [M(500), M(0)]));
        Ok(ledger, Open(B, Cny, Usd));
        Assert.Equal(M(500), Bal(ledger, A, Cny).Available);

        Ok(ledger, new ReserveCommand(Id(1), A, B, Cny, M(200), 5000));
        FailsWithoutEffect(ledger, new TransferCommand(Id(2), A, B, Cny, M(301)), LedgerResultCode.InsufficientAssets);
        Ok(ledger, new TransferCommand(Id(2), A, B, Cny, M(300)));
        Assert.Equal(new Balance(M(-300), M(200), M(0), M(500)), Bal(ledger, A, Cny));
        Assert.Equal(M(0), Bal(ledger, A, Cny).Available);
        FailsWithoutEffect(ledger, new RedeemCommand(Id(3), A, Cny, M(1)), LedgerResultCode.InsufficientAssets);
        Ok(ledger, new PostCommand(Id(4), Id(1)));
        Assert.Equal(new Balance(M(-500), M(0), M(0), M(500)), Bal(ledger, A, Cny));

        // No credit limit on USD: not even one unit below zero.
        FailsWithoutEffect(ledger, new TransferCommand(Id(5), A, B, Usd, M(1)), LedgerResultCode.InsufficientAssets);
    }

    [Fact]
    public void Every_failure_code_is_reached_and_changes_nothing_S2()
    {
        var ledger = Funded();
        Ok(ledger, new TransferCommand(Id(50), A, B, Cny, M(1)));
        Ok(ledger, new ReserveCommand(Id(60), A, B, Cny, M(1), 5000));

        FailsWithoutEffect(ledger, new TransferCommand(Id(1), A, Nobody, Cny, M(1)), LedgerResultCode.UnknownAccount);
        FailsWithoutEffect(ledger, new IssueCommand(Id(1), Nobody, Cny, M(1)), LedgerResultCode.UnknownAccount);
        FailsWithoutEffect(ledger, new RedeemCommand(Id(1), Nobody, Cny, M(1)), LedgerResultCode.UnknownAccount);
        FailsWithoutEffect(ledger, new ReserveCommand(Id(1), Nobody, A, Cny, M(1), 5000), LedgerResultCode.UnknownAccount);
        FailsWithoutEffect(ledger, Open(A, Eur), LedgerResultCode.AccountExists);
        FailsWithoutEffect(ledger, new TransferCommand(Id(1), A, C, Usd, M(1)), LedgerResultCode.NoAssociatedAsset);
        FailsWithoutEffect(ledger, new IssueCommand(Id(1), C, Usd, M(1)), LedgerResultCode.NoAssociatedAsset);
        FailsWithoutEffect(ledger, new ReserveCommand(Id(1), C, A, Usd, M(1), 5000), LedgerResultCode.NoAssociatedAsset);
        FailsWithoutEffect(ledger, new TransferCommand(Id(1), A, B, Cny, M(1000)), LedgerResultCode.InsufficientAssets);
        FailsWithoutEffect(ledger, new ReserveCommand(Id(1), B, A, Usd, M(1), 5000), LedgerResultCode.InsufficientAssets);
        FailsWithoutEffect(ledger, new RedeemCommand(Id(1), A, Cny, M(999)), LedgerResultCode.InsufficientAssets);
        FailsWithoutEffect(ledger, new TransferCommand(Id(1), A, B, Cny, M(0)), LedgerResultCode.InvalidAmount);
        FailsWithoutEffect(ledger, new TransferCommand(Id(1), A, B, Cny, M(-5)), LedgerResultCode.InvalidAmount);
        FailsWithoutEffect(ledger, new IssueCommand(Id(1), A, Cny, M(0)), LedgerResultCode.InvalidAmount);
        FailsWithoutEffect(ledger, new RedeemCommand(Id(1), A, Cny, M(-1)), LedgerResultCode.InvalidAmount);
        FailsWithoutEffect(ledger, new ReserveCommand(Id(1), A, B, Cny, M(0), 5000), LedgerResultCode.InvalidAmount);
        FailsWithoutEffect(ledger, new TransferCommand(Id(1), A, A, Cny, M(1)), LedgerResultCode.SameAccount);
        FailsWithoutEffect(ledger, new ReserveCommand(Id(1), A, A, Cny, M(1), 5000), LedgerResultCode.SameAccount);
        FailsWithoutEffect(ledger, new PostCommand(Id(1), Id(777)), LedgerResultCode.UnknownPending);
        FailsWithoutEffect(ledger, new VoidCommand(Id(1), Id(777)), LedgerResultCode.UnknownPending);
        FailsWithoutEffect(ledger, new PostCommand(Id(1), Id(50)), LedgerResultCode.NotPending);
        FailsWithoutEffect(ledger, new VoidCommand(Id(1), Id(9001)), LedgerResultCode.NotPending);
        FailsWithoutEffect(ledger, new PostCommand(Id(1), Id(60), M(2)), LedgerResultCode.AmountExceedsPending);

        // InvalidCommand: zero ids, self-reference, malformed accounts, empty groups.
        FailsWithoutEffect(ledger, new TransferCommand(TransferId.Zero, A, B, Cny, M(1)), LedgerResultCode.InvalidCommand);
        FailsWithoutEffect(ledger, new ReserveCommand(TransferId.Zero, A, B, Cny, M(1), 5000), LedgerResultCode.InvalidCommand);
        FailsWithoutEffect(ledger, new IssueCommand(TransferId.Zero, A, Cny, M(1)), LedgerResultCode.InvalidCommand);
        FailsWithoutEffect(ledger, new RedeemCommand(TransferId.Zero, A, Cny, M(1)), LedgerResultCode.InvalidCommand);
        FailsWithoutEffect(ledger, new PostCommand(Id(1), TransferId.Zero), LedgerResultCode.InvalidCommand);
        FailsWithoutEffect(ledger, new VoidCommand(TransferId.Zero, Id(60)), LedgerResultCode.InvalidCommand);
        FailsWithoutEffect(ledger, new PostCommand(Id(60), Id(60)), LedgerResultCode.InvalidCommand);
        FailsWithoutEffect(ledger, new OpenAccountCommand(new AccountId("new"), Owner, []), LedgerResultCode.InvalidCommand);
        FailsWithoutEffect(ledger, new OpenAccountCommand(new AccountId("new"), Owner, [Cny, Usd, Cny]), LedgerResultCode.InvalidCommand);
        FailsWithoutEffect(ledger, new OpenAccountCommand(new AccountId("new"), Owner, [Cny], [M(-1)]), LedgerResultCode.InvalidCommand);
        var tooMany = Enumerable.Range(0, AccountLedger.MaxAssetsPerAccount + 1).Select(i => new AssetCode($"X{i}")).ToArray();
        FailsWithoutEffect(ledger, new OpenAccountCommand(new AccountId("new"), Owner, tooMany), LedgerResultCode.InvalidCommand);
        FailsWithoutEffect(ledger, new LinkedCommand([]), LedgerResultCode.InvalidCommand);
    }

    [Fact]
    public void Credits_that_would_overflow_64_bits_are_BalanceOverflow_S2()
    {
        var ledger = new AccountLedger();
        Ok(ledger, Open(A, Cny));
        Ok(ledger, new OpenAccountCommand(B, Owner, [Cny], [M(10)]));
        Ok(ledger, new IssueCommand(Id(1), A, Cny, M(long.MaxValue)));
        FailsWithoutEffect(ledger, new IssueCommand(Id(2), A, Cny, M(1)), LedgerResultCode.BalanceOverflow);
        // B's headroom counts its credit limit and pending credits, so committing can never overflow.
        FailsWithoutEffect(ledger, new TransferCommand(Id(3), A, B, Cny, M(long.MaxValue - 9)), LedgerResultCode.BalanceOverflow);
        Ok(ledger, new ReserveCommand(Id(4), A, B, Cny, M(long.MaxValue - 10), 5000));
        FailsWithoutEffect(ledger, new IssueCommand(Id(5), B, Cny, M(1)), LedgerResultCode.BalanceOverflow);
        Ok(ledger, new PostCommand(Id(6), Id(4)));
        Assert.Equal(M(long.MaxValue - 10), Bal(ledger, B, Cny).Posted);
        Assert.Equal(M(long.MaxValue), Bal(ledger, B, Cny).Available);
    }

    [Fact]
    public void Account_limit_is_LimitExceeded_S2()
    {
        var ledger = new AccountLedger { AccountLimit = 2 };
        Ok(ledger, Open(A, Cny));
        Ok(ledger, Open(B, Cny));
        FailsWithoutEffect(ledger, Open(C, Cny), LedgerResultCode.LimitExceeded);
    }

    [Fact]
    public void Linked_group_applies_all_or_nothing_S2()
    {
        var ledger = Funded();
        var before = ledger.ExportSnapshot();
        var failing = new LinkedCommand(
        [
            new ReserveCommand(Id(1), A, B, Cny, M(100), 5000),
            new PostCommand(Id(2), Id(1)),
            new OpenAccountCommand(new AccountId("fresh"), Owner, [Cny]),
            new TransferCommand(Id(3), B, C, Cny, M(60)),
            new TransferCommand(Id(4), C, A, Cny, M(61)), // C has only 60
        ]);
        var result = ledger.Apply(failing, 1000);
        Assert.Equal(new LedgerResult(LedgerResultCode.InsufficientAssets, 4), result);
        Assert.False(result.IsSuccess);
        Assert.Equal(LedgerResultCode.LinkedCommandFailed, result.MemberCode(0));
        Assert.Equal(LedgerResultCode.LinkedCommandFailed, result.MemberCode(3));
        Assert.Equal(LedgerResultCode.InsufficientAssets, result.MemberCode(4));
        Assert.Equal(before, ledger.ExportSnapshot());
        Assert.False(ledger.TryGetTransfer(Id(1), out _));
        Assert.False(ledger.TryGetAccount(new AccountId("fresh"), out _));

        // The ids were not consumed: the corrected group applies in full.
        var fixedGroup = new LinkedCommand(
        [
            new ReserveCommand(Id(1), A, B, Cny, M(100), 5000),
            new PostCommand(Id(2), Id(1)),
            new OpenAccountCommand(new AccountId("fresh"), Owner, [Cny]),
            new TransferCommand(Id(3), B, C, Cny, M(60)),
            new TransferCommand(Id(4), C, A, Cny, M(60)),
        ]);
        Assert.Equal(LedgerResult.Ok, ledger.Apply(fixedGroup, 1000));
        Assert.Equal(M(960), Bal(ledger, A, Cny).Posted);
        Assert.Equal(M(40), Bal(ledger, B, Cny).Posted);

        // Opening an account is not idempotent: the same group again fails whole on it.
        var snapshot = ledger.ExportSnapshot();
        Assert.Equal(new LedgerResult(LedgerResultCode.AccountExists, 2), ledger.Apply(fixedGroup, 1000));

        // A group of id'd commands again is idempotent; a group that repeats only some ids is rejected whole.
        var legs = new LinkedCommand([new ReserveCommand(Id(7), A, B, Cny, M(5), 5000), new ReserveCommand(Id(8), B, A, Cny, M(5), 5000)]);
        Assert.Equal(LedgerResult.Ok, ledger.Apply(legs, 1000));
        snapshot = ledger.ExportSnapshot();
        Assert.Equal(LedgerResultCode.AlreadyApplied, ledger.Apply(legs, 1000).Code);
        Assert.True(ledger.Apply(legs, 1000).IsSuccess);
        var mixed = new LinkedCommand([new TransferCommand(Id(5), A, B, Cny, M(1)), new TransferCommand(Id(3), B, C, Cny, M(60))]);
        Assert.Equal(new LedgerResult(LedgerResultCode.DuplicateId, 1), ledger.Apply(mixed, 1000));
        Assert.Equal(snapshot, ledger.ExportSnapshot());
    }

    [Fact]
    public void Linked_groups_do_not_nest_and_are_bounded_S2()
    {
        var inner = new LinkedCommand([new TransferCommand(Id(1), A, B, Cny, M(1))]);
        Assert.Throws<ArgumentException>(() => new LinkedCommand([inner]));
        var many = Enumerable.Range(1, LinkedCommand.MaxLinkedCommands + 1)
            .Select(i => (LedgerCommand)new TransferCommand(Id((ulong)i), A, B, Cny, M(1))).ToArray();
        Assert.Throws<ArgumentException>(() => new LinkedCommand(many));
        Assert.Throws<ArgumentNullException>(() => new LinkedCommand([null!]));
    }

    [Fact]
    public void Block_time_never_goes_backwards_and_blocks_are_bounded_S2()
    {
        var ledger = Funded();
        Assert.Throws<ArgumentOutOfRangeException>(() => ledger.Apply(new TransferCommand(Id(1), A, B, Cny, M(1)), 999));
        Assert.Throws<ArgumentException>(() => ledger.ApplyBlock(new LedgerCommand[AccountLedger.MaxCommandsPerBlock + 1], 2000));
        Assert.Equal(1000, ledger.LastBlockTimeUnixMs);
    }

    [Fact]
    public void History_pages_by_sequence_and_filters_by_asset_S2()
    {
        var ledger = Funded();
        for (int i = 1; i <= 10; i++)
        {
            Ok(ledger, new TransferCommand(Id((ulong)i), A, B, i % 2 == 0 ? Cny : Usd, M(i)));
        }

        var all = ledger.GetHistory(A);
        Assert.Equal(12, all.Count);
        Assert.True(all.Zip(all.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence));
        var page1 = ledger.GetHistory(A, maxCount: 5);
        var page2 = ledger.GetHistory(A, afterSequence: page1[^1].Sequence, maxCount: 5);
        Assert.Equal(all.Take(10), page1.Concat(page2));
        Assert.All(ledger.GetHistory(A, Usd), p => Assert.Equal(Usd, p.Asset));
        Assert.Equal(6, ledger.GetHistory(A, Usd).Count);
        Assert.Empty(ledger.GetHistory(Nobody));
        Assert.Throws<ArgumentOutOfRangeException>(() => ledger.GetHistory(A, maxCount: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ledger.GetHistory(A, maxCount: AccountLedger.MaxHistoryPageCount + 1));
    }

    [Fact]
    public void TransferId_derives_from_a_hash_encodes_as_16_bytes_and_prints_hex_S2()
    {
        var hash = Hash256.Compute("cross-chain tx"u8);
        var id = TransferId.FromHash(hash);
        Assert.Equal(hash.ToString()[..32], id.ToString());
        Assert.Equal("00000000000000000000000000000001", Id(1).ToString());
        var bytes = Canonical.Encode(id);
        Assert.Equal(2 + TransferId.SizeBytes, bytes.Length);
        Assert.Equal(0xc4, bytes[0]);
        Assert.Equal(id, Canonical.Decode<TransferId>(bytes));
        Assert.True(TransferId.Zero.IsZero);
        Assert.True(Id(1).CompareTo(Id(2)) < 0);
        var e = Assert.Throws<CodecException>(() => Canonical.Decode<TransferId>(new byte[] { 0xc4, 32 }.Concat(hash.ToArray()).ToArray()));
        Assert.Equal(CodecError.UnexpectedLength, e.Error);
    }

    [Fact]
    public void Snapshot_round_trips_and_rejects_inconsistent_state_C5()
    {
        var ledger = Funded();
        Ok(ledger, new ReserveCommand(Id(1), A, B, Cny, M(100), 5000));
        Ok(ledger, new ReserveCommand(Id(2), A, C, Cny, M(100), 3000));
        Ok(ledger, new PostCommand(Id(3), Id(1), M(40)));
        Ok(ledger, new ReserveCommand(Id(4), A, B, Usd, M(7), 8000));
        var bytes = ledger.ExportSnapshot();
        var copy = AccountLedger.ImportSnapshot(bytes);
        Assert.Equal(bytes, copy.ExportSnapshot());
        Assert.Equal(ledger.ComputeStateHash(), copy.ComputeStateHash());
        Assert.Equal(2, copy.PendingCount);

        // The copy expires what the original expires.
        Assert.Equal(ledger.ApplyBlock([new VoidCommand(Id(5), Id(4))], 3000), copy.ApplyBlock([new VoidCommand(Id(5), Id(4))], 3000));
        Assert.Equal(ledger.ExportSnapshot(), copy.ExportSnapshot());

        // Any single changed byte is either rejected with CodecException or yields a different state.
        for (int i = 0; i < bytes.Length; i++)
        {
            byte[] mutated = (byte[])bytes.Clone();
            mutated[i] ^= 0x01;
            try
            {
                Assert.NotEqual(bytes, AccountLedger.ImportSnapshot(mutated).ExportSnapshot());
            }
            catch (CodecException)
            {
            }
        }
    }
}
