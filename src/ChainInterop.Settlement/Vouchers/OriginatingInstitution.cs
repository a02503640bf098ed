using ChainInterop.Crypto;
using ChainInterop.Ledger;

namespace ChainInterop.Settlement.Vouchers;

/// <summary>
/// The originating institution (发起机构) of voucher co-signing: receives a user's request, audits it (V1), signs
/// the transaction voucher alone and collects the destinations' co-signatures (V2), asks the third party to retain
/// it (V3), verifies both returned vouchers before the request is processed, and makes its clearing voucher when it
/// owes something (V4). Seed 001 steps 301–306, 310–311.
/// </summary>
/// <remarks>Sans-IO and deterministic: no clock, thread or I/O; time is the <c>nowMs</c> argument, outputs are
/// returned as <see cref="VoucherStep"/>s. Not thread-safe: a driver feeds it one input at a time. It reads the
/// account ledger (V1 audit, asset sources) but never changes it.</remarks>
public sealed class OriginatingInstitution : IVoucherParty
{
    private readonly PrivateKey _key;
    private readonly InstitutionDirectory _directory;
    private readonly AccountLedger _ledger;
    private readonly InstitutionId _thirdParty;
    private readonly VoucherProtocolOptions _options;
    private readonly Dictionary<UserId, UserEntitlement> _users = [];
    private readonly Dictionary<Hash256, Flow> _flows = [];

    /// <summary>Creates the originator.</summary>
    /// <param name="id">The institution.</param>
    /// <param name="key">Its private key (the caller keeps ownership).</param>
    /// <param name="directory">The trust root.</param>
    /// <param name="ledger">The account ledger queried in the audit and for asset sources.</param>
    /// <param name="thirdParty">The third-party retention institution it uses.</param>
    /// <param name="options">Timeouts, limits and the fee schedule; defaults when null.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="id"/> or <paramref name="thirdParty"/> is default, or the key is not the directory's key for <paramref name="id"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public OriginatingInstitution(
        InstitutionId id, PrivateKey key, InstitutionDirectory directory, AccountLedger ledger, InstitutionId thirdParty, VoucherProtocolOptions? options = null)
    {
        _options = Parties.Configure(id, key, directory, options, () =>
        {
            ArgumentNullException.ThrowIfNull(ledger);
            if (thirdParty.IsDefault)
            {
                throw new ArgumentException("The third party must be set.", nameof(thirdParty));
            }
        });
        Id = id;
        _key = key;
        _directory = directory;
        _ledger = ledger;
        _thirdParty = thirdParty;
    }

    /// <inheritdoc />
    public InstitutionId Id { get; }

    /// <summary>The number of flows in progress.</summary>
    public int OpenFlowCount => _flows.Count;

    /// <summary>Registers (or replaces) one of this institution's own users.</summary>
    /// <param name="entitlement">What the user may do.</param>
    /// <exception cref="ArgumentNullException"><paramref name="entitlement"/> is null.</exception>
    public void AddUser(UserEntitlement entitlement)
    {
        ArgumentNullException.ThrowIfNull(entitlement);
        _users[entitlement.User] = entitlement;
    }

    /// <summary>
    /// Steps 301–303: audits the request (V1); when it passes, creates and signs the transaction voucher and sends it
    /// to every destination for co-signing (V2). A failed audit is a <see cref="FlowEventKind.Refused"/> event with a
    /// zero voucher id, and nothing is signed or sent.
    /// </summary>
    /// <param name="request">The user's request.</param>
    /// <param name="nowMs">The current time, Unix milliseconds (the voucher's timestamp).</param>
    /// <returns>What to do.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is null.</exception>
    public VoucherStep Submit(PaymentRequest request, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(request);
        var step = new StepBuilder(Id);
        var audit = PaymentAudit.Audit(Id, request, _users, _directory, _ledger);
        if (!audit.IsValid)
        {
            step.Fail(default, FlowEventKind.Refused, audit);
            return step.Build();
        }

        if (_flows.Count >= _options.MaxOpenFlows)
        {
            step.Fail(default, FlowEventKind.Refused, VoucherFailure.CapacityExceeded, $"{_flows.Count} flows open");
            return step.Build();
        }

        var voucher = TransactionVoucher.Create(request, Id, _key, nowMs);
        if (_flows.ContainsKey(voucher.Id))
        {
            step.Fail(voucher.Id, FlowEventKind.Refused, VoucherFailure.Replayed, "the same request (same nonce and timestamp) is already in progress");
            return step.Build();
        }

        _flows[voucher.Id] = new Flow(voucher, [.. voucher.Destinations], nowMs + _options.FeedbackTimeoutMs);
        foreach (var destination in voucher.Destinations)
        {
            step.Send(destination, new CoSignRequest(voucher));
        }

        return step.Build();
    }

    /// <inheritdoc />
    public VoucherStep Receive(VoucherMessage message, long nowMs) => Parties.Receive(Id, message, "an originator", step =>
    {
        switch (message)
        {
            case VoucherFeedback { Stage: FeedbackStage.TransactionVoucher } feedback:
                OnFeedback(feedback, nowMs, step);
                return true;
            case VoucherFeedback { Stage: FeedbackStage.Retention } refusal:
                OnRetentionRefused(refusal, step);
                return true;
            case RelationCoSignRequest request:
                var known = _flows.TryGetValue(request.Relation.TransactionVoucherId, out var f) && f.Phase == Phase.AwaitingRetention ? f.Voucher : null;
                PartyChecks.DecideRelation(Id, _key, request, known, _directory, _options.Fees, step);
                return true;
            case RetentionNotice notice:
                OnNotice(notice, nowMs, step);
                return true;
            default:
                return false;
        }
    });

    /// <inheritdoc />
    public VoucherStep Tick(long nowMs)
    {
        var step = new StepBuilder(Id);
        Parties.ForEachDue(_flows, f => f.DeadlineMs, nowMs, (id, flow) =>
        {
            _flows.Remove(id);
            if (flow.Phase == Phase.AwaitingFeedback)
            {
                step.Fail(id, FlowEventKind.Refused, VoucherFailure.DestinationTimeout,
                    $"no decision from {string.Join(", ", flow.Awaiting)} in {_options.FeedbackTimeoutMs} ms; the user's request is refused");
            }
            else
            {
                step.Fail(id, FlowEventKind.RetentionFailed, VoucherFailure.ThirdPartyTimeout,
                    $"no retention notice from {_thirdParty} in {_options.RetentionTimeoutMs} ms; nothing is cleared");
            }
        });
        return step.Build();
    }

    private void OnFeedback(VoucherFeedback feedback, long nowMs, StepBuilder step)
    {
        var id = feedback.SubjectId;
        if (!_flows.TryGetValue(id, out var flow) || flow.Phase != Phase.AwaitingFeedback)
        {
            step.Fail(id, FlowEventKind.MessageRefused, VoucherFailure.UnknownFlow, $"no voucher {id.ToShortString()} awaits feedback");
            return;
        }

        if (!flow.Awaiting.Contains(feedback.From))
        {
            var failure = flow.Voucher.RoleOf(feedback.From) == ParticipantRole.Destination ? VoucherFailure.Replayed : VoucherFailure.UnexpectedSigner;
            step.Fail(id, FlowEventKind.MessageRefused, failure, $"feedback from {feedback.From} is not awaited");
            return;
        }

        if (!feedback.Accepted)
        {
            var rejection = feedback.VerifyRejection(_directory);
            if (!rejection.IsValid)
            {
                step.Fail(id, FlowEventKind.MessageRefused, rejection);
                return;
            }

            _flows.Remove(id);
            step.Fail(id, FlowEventKind.Refused, VoucherFailure.RejectedByDestination,
                $"{feedback.From} rejected the voucher ({feedback.Reason}); the user's request is refused", feedback.Reason);
            return;
        }

        var coSignature = feedback.CoSignature!;
        var check = flow.Voucher.VerifySignature(coSignature, _directory);
        if (!check.IsValid)
        {
            step.Fail(id, FlowEventKind.MessageRefused, check);
            return;
        }

        flow.Voucher = flow.Voucher.WithSignature(coSignature);
        flow.Awaiting.Remove(feedback.From);
        if (flow.Awaiting.Count > 0)
        {
            return;
        }

        flow.Phase = Phase.AwaitingRetention;
        flow.DeadlineMs = nowMs + _options.RetentionTimeoutMs;
        step.Send(_thirdParty, new RetentionRequest(flow.Voucher));
        step.Event(id, FlowEventKind.CoSigned, $"every destination co-signed; retention requested from {_thirdParty}");
    }

    private void OnRetentionRefused(VoucherFeedback refusal, StepBuilder step)
    {
        var id = refusal.SubjectId;
        if (!_flows.TryGetValue(id, out var flow) || flow.Phase != Phase.AwaitingRetention || refusal.From != _thirdParty)
        {
            step.Fail(id, FlowEventKind.MessageRefused, VoucherFailure.UnknownFlow, $"no voucher {id.ToShortString()} awaits retention by {refusal.From}");
            return;
        }

        var check = refusal.VerifyRejection(_directory);
        if (!check.IsValid)
        {
            step.Fail(id, FlowEventKind.MessageRefused, check);
            return;
        }

        _flows.Remove(id);
        step.Fail(id, FlowEventKind.RetentionFailed, refusal.Reason, $"{_thirdParty} refused to retain the voucher ({refusal.Reason}); nothing is cleared", refusal.Reason);
    }

    private void OnNotice(RetentionNotice notice, long nowMs, StepBuilder step)
    {
        var id = notice.Retention.TransactionVoucher.Id;
        if (!_flows.TryGetValue(id, out var flow) || flow.Phase != Phase.AwaitingRetention)
        {
            step.Fail(id, FlowEventKind.MessageRefused, VoucherFailure.UnknownFlow, $"no voucher {id.ToShortString()} awaits retention (finished or timed out)");
            return;
        }

        var check = notice.Retention.ThirdParty == _thirdParty
            ? PartyChecks.VerifyNotice(notice, Id, _directory, _options.Fees)
            : VoucherCheck.Fail(VoucherFailure.LinkMismatch, $"the notice comes from {notice.Retention.ThirdParty}, not {_thirdParty}");
        if (!check.IsValid)
        {
            step.Fail(id, FlowEventKind.MessageRefused, check);
            return;
        }

        _flows.Remove(id);
        step.Event(id, FlowEventKind.Approved, "retention and clearing-relation vouchers verified: process the user's request");
        PartyChecks.PrepareClearing(Id, _key, notice.Relation, _ledger, _directory, nowMs, step);
    }

    private enum Phase
    {
        AwaitingFeedback,
        AwaitingRetention,
    }

    /// <summary>One request in progress. Invariant: <see cref="Awaiting"/> is empty once <see cref="Phase"/> is AwaitingRetention.</summary>
    private sealed class Flow(TransactionVoucher voucher, HashSet<InstitutionId> awaiting, long deadlineMs)
    {
        public TransactionVoucher Voucher { get; set; } = voucher;

        public HashSet<InstitutionId> Awaiting { get; } = awaiting;

        public Phase Phase { get; set; } = Phase.AwaitingFeedback;

        public long DeadlineMs { get; set; } = deadlineMs;
    }
}
