using System.Diagnostics.CodeAnalysis;
using ChainInterop.Blocks;
using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Vouchers;

/// <summary>
/// The third-party retention institution (第三方机构) of voucher co-signing (V3, steps 306–309): takes a fully
/// co-signed transaction voucher, asks every destination to confirm it, then creates and signs the retention voucher
/// and the clearing-relation voucher (fee debts included), collects the paying institutions' co-signatures and sends
/// both vouchers to every institution involved. It archives what it retained and assembles the evidence chain of a
/// disputed payment (V4).
/// </summary>
/// <remarks>Sans-IO, deterministic, not thread-safe. A request it cannot finish (a refusal, or no answer within
/// <see cref="VoucherProtocolOptions.ConfirmationTimeoutMs"/>) ends with a signed refusal to the originator.</remarks>
public sealed class RetentionInstitution : IVoucherParty
{
    private readonly PrivateKey _key;
    private readonly InstitutionDirectory _directory;
    private readonly VoucherProtocolOptions _options;
    private readonly Dictionary<Hash256, Flow> _flows = [];
    private readonly Dictionary<Hash256, Hash256> _flowByRelation = [];
    private readonly Dictionary<Hash256, RetentionNotice> _retained = [];

    /// <summary>Creates the third party.</summary>
    /// <param name="id">The institution; a retention institution of the directory.</param>
    /// <param name="key">Its private key (the caller keeps ownership).</param>
    /// <param name="directory">The trust root.</param>
    /// <param name="options">Timeouts, limits and the fee schedule; defaults when null.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The key is not the directory's key for <paramref name="id"/>, or it is not a retention institution.</exception>
    public RetentionInstitution(InstitutionId id, PrivateKey key, InstitutionDirectory directory, VoucherProtocolOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(directory);
        Parties.RequireOwnKey(id, key, directory);
        if (!directory.TryGet(id, out var entry) || !entry.IsRetentionInstitution)
        {
            throw new ArgumentException($"{id} is not a retention institution in the directory.", nameof(id));
        }

        _options = options ?? new VoucherProtocolOptions();
        _options.Validate();
        Id = id;
        _key = key;
        _directory = directory;
    }

    /// <inheritdoc />
    public InstitutionId Id { get; }

    /// <summary>The number of retention requests in progress.</summary>
    public int OpenFlowCount => _flows.Count;

    /// <summary>The number of voucher pairs archived.</summary>
    public int RetainedCount => _retained.Count;

    /// <summary>The archived retention and clearing-relation vouchers of a transaction voucher.</summary>
    /// <param name="transactionVoucherId">The transaction voucher.</param>
    /// <param name="retained">Both vouchers, as sent to every institution.</param>
    /// <returns>Whether this third party retained that voucher.</returns>
    public bool TryGetRetained(Hash256 transactionVoucherId, [NotNullWhen(true)] out RetentionNotice? retained) =>
        _retained.TryGetValue(transactionVoucherId, out retained);

    /// <summary>
    /// Assembles the evidence chain of a (disputed) payment: the retained vouchers with every signature, the clearing
    /// vouchers found on the voucher ledger and, when given, the certified blocks that hold them. Verify it offline
    /// with <see cref="VoucherVerifier.VerifyEvidence"/>.
    /// </summary>
    /// <param name="transactionVoucherId">The transaction voucher.</param>
    /// <param name="clearings">The clearing vouchers published for its relation (e.g. <see cref="VoucherLedger.GetClearings"/>).</param>
    /// <param name="blocks">The voucher-ledger blocks holding them; none when null.</param>
    /// <returns>The evidence, or <see cref="VoucherFailure.UnknownFlow"/> when this third party did not retain the voucher.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="clearings"/> is null.</exception>
    public VoucherResult<EvidenceChain> AssembleEvidence(Hash256 transactionVoucherId, IEnumerable<ClearingVoucher> clearings, IEnumerable<Block>? blocks = null)
    {
        ArgumentNullException.ThrowIfNull(clearings);
        return _retained.TryGetValue(transactionVoucherId, out var retained)
            ? VoucherResult.Ok(new EvidenceChain(retained.Retention, retained.Relation, [.. clearings], [.. blocks ?? []]))
            : VoucherResult.Fail<EvidenceChain>(VoucherFailure.UnknownFlow, $"{Id} did not retain voucher {transactionVoucherId.ToShortString()}");
    }

    /// <inheritdoc />
    public VoucherStep Receive(VoucherMessage message, long nowMs) => Parties.Receive(Id, message, "a third party", step =>
    {
        switch (message)
        {
            case RetentionRequest request:
                OnRetentionRequest(request.Voucher, nowMs, step);
                return true;
            case VoucherConfirmation { Stage: ConfirmationStage.Retention } confirmation:
                OnConfirmation(confirmation, nowMs, step);
                return true;
            case VoucherFeedback { Stage: FeedbackStage.ClearingRelation } feedback:
                OnRelationFeedback(feedback, step);
                return true;
            default:
                return false;
        }
    });

    /// <inheritdoc />
    public VoucherStep Tick(long nowMs)
    {
        var step = new StepBuilder(Id);
        Parties.ForEachDue(_flows, f => f.DeadlineMs, nowMs, (_, flow) => Fail(flow, VoucherCheck.Fail(VoucherFailure.ConfirmationTimeout,
            $"no answer from {string.Join(", ", flow.Awaiting)} in {_options.ConfirmationTimeoutMs} ms"), step));
        return step.Build();
    }

    private void OnRetentionRequest(TransactionVoucher voucher, long nowMs, StepBuilder step)
    {
        var id = voucher.Id;
        if (_flows.ContainsKey(id) || _retained.ContainsKey(id))
        {
            step.Fail(id, FlowEventKind.MessageRefused, VoucherFailure.Replayed, $"voucher {id.ToShortString()} is already retained or in progress");
            return;
        }

        var check = voucher.VerifyCoSigned(_directory);
        if (!check.IsValid)
        {
            step.Fail(id, FlowEventKind.MessageRefused, check);
            return;
        }

        if (_flows.Count >= _options.MaxOpenFlows || _retained.Count >= _options.MaxRetainedRecords)
        {
            check = VoucherCheck.Fail(VoucherFailure.CapacityExceeded, "the third party's tables are full");
        }
        else
        {
            check = _options.CheckFresh(voucher.CreatedAtMs, nowMs);
        }

        IReadOnlyList<ClearingObligation> obligations = [];
        if (check.IsValid)
        {
            check = ClearingRules.Derive(voucher, _options.Fees, out obligations);
        }

        if (!check.IsValid)
        {
            step.Send(voucher.Originator, VoucherFeedback.Reject(FeedbackStage.Retention, id, Id, check.Failure, _key));
            step.Fail(id, FlowEventKind.RetentionFailed, check);
            return;
        }

        var flow = new Flow(voucher, obligations, [.. voucher.Destinations], nowMs + _options.ConfirmationTimeoutMs);
        _flows[id] = flow;
        foreach (var destination in voucher.Destinations)
        {
            step.Send(destination, new RetentionCheckRequest(id, Id));
        }
    }

    private void OnConfirmation(VoucherConfirmation confirmation, long nowMs, StepBuilder step)
    {
        var id = confirmation.VoucherId;
        var flow = _flows.TryGetValue(id, out var found) && found.Relation is null ? found : null;
        if (!Parties.TakeConfirmation(confirmation, flow, "awaits confirmations", ParticipantRole.Destination, _directory, step))
        {
            return;
        }

        if (!confirmation.Confirmed)
        {
            Fail(flow, VoucherCheck.Fail(VoucherFailure.ConfirmationRefused, $"{confirmation.Institution} refused to confirm ({confirmation.Reason})"), step, confirmation.Reason);
            return;
        }

        flow.Awaiting.Remove(confirmation.Institution);
        flow.Confirmations.Add(confirmation);
        if (flow.Awaiting.Count > 0)
        {
            return;
        }

        // Step 308: retain the voucher and record the clearing relation; the payers co-sign it next.
        var retention = RetentionVoucher.Create(flow.Voucher, flow.Confirmations, Id, _key, nowMs);
        var relation = ClearingRelationVoucher.Create(Id, _key, id, retention.Id, flow.Obligations, nowMs);
        flow.Retention = retention;
        flow.Relation = relation;
        flow.Awaiting.UnionWith(relation.Payers);
        flow.DeadlineMs = nowMs + _options.ConfirmationTimeoutMs;
        _flowByRelation[relation.Id] = id;
        foreach (var payer in relation.Payers)
        {
            step.Send(payer, new RelationCoSignRequest(relation, flow.Voucher));
        }
    }

    private void OnRelationFeedback(VoucherFeedback feedback, StepBuilder step)
    {
        if (!_flowByRelation.TryGetValue(feedback.SubjectId, out var id) || !_flows.TryGetValue(id, out var flow) || flow.Relation is null)
        {
            step.Fail(default, FlowEventKind.MessageRefused, VoucherFailure.UnknownFlow, $"no relation {feedback.SubjectId.ToShortString()} awaits co-signatures");
            return;
        }

        if (!flow.Awaiting.Contains(feedback.From))
        {
            var failure = flow.Relation.Payers.Contains(feedback.From) ? VoucherFailure.Replayed : VoucherFailure.UnexpectedSigner;
            step.Fail(id, FlowEventKind.MessageRefused, failure, $"no co-signature from {feedback.From} is awaited");
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

            Fail(flow, VoucherCheck.Fail(VoucherFailure.ConfirmationRefused, $"{feedback.From} refused to co-sign the relation ({feedback.Reason})"), step, feedback.Reason);
            return;
        }

        var coSignature = feedback.CoSignature!;
        var check = flow.Relation.VerifySignature(coSignature, _directory);
        if (!check.IsValid)
        {
            step.Fail(id, FlowEventKind.MessageRefused, check);
            return;
        }

        flow.Relation = flow.Relation.WithSignature(coSignature);
        flow.Awaiting.Remove(feedback.From);
        if (flow.Awaiting.Count > 0)
        {
            return;
        }

        // Step 309: archive, then send both vouchers to every institution involved.
        var notice = new RetentionNotice(flow.Retention!, flow.Relation);
        Close(flow);
        _retained[id] = notice;
        var recipients = new SortedSet<InstitutionId>(flow.Voucher.Participants.Select(p => p.Institution));
        recipients.UnionWith(flow.Relation.Obligations.SelectMany(o => (InstitutionId[])[o.Payer, o.Payee]));
        foreach (var institution in recipients)
        {
            step.Send(institution, notice);
        }

        step.Event(id, FlowEventKind.Retained, $"{notice.Retention} and {notice.Relation} sent to {recipients.Count} institutions");
    }

    private void Fail(Flow flow, VoucherCheck reason, StepBuilder step, VoucherFailure remote = VoucherFailure.None)
    {
        Close(flow);
        step.Send(flow.Voucher.Originator, VoucherFeedback.Reject(FeedbackStage.Retention, flow.Voucher.Id, Id, reason.Failure, _key));
        step.Fail(flow.Voucher.Id, FlowEventKind.RetentionFailed, reason, remote);
    }

    private void Close(Flow flow)
    {
        _flows.Remove(flow.Voucher.Id);
        if (flow.Relation is not null)
        {
            _flowByRelation.Remove(flow.Relation.Id);
        }
    }

    /// <summary>
    /// One retention in progress: first awaiting the destinations' confirmations (<see cref="Relation"/> null), then
    /// the payers' co-signatures of <see cref="Relation"/>.
    /// </summary>
    private sealed class Flow(TransactionVoucher voucher, IReadOnlyList<ClearingObligation> obligations, HashSet<InstitutionId> awaiting, long deadlineMs) : IAwaitingFlow
    {
        public TransactionVoucher Voucher { get; } = voucher;

        public IReadOnlyList<ClearingObligation> Obligations { get; } = obligations;

        public HashSet<InstitutionId> Awaiting { get; } = awaiting;

        public List<VoucherConfirmation> Confirmations { get; } = [];

        public long DeadlineMs { get; set; } = deadlineMs;

        public RetentionVoucher? Retention { get; set; }

        public ClearingRelationVoucher? Relation { get; set; }
    }
}
