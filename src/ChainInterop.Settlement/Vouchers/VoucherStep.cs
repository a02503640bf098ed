using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Vouchers;

/// <summary>What happened at a voucher party. Stable numbers.</summary>
public enum FlowEventKind
{
    /// <summary>Originator: the user's request is refused (audit, a destination's rejection, or no answer in time); nothing is signed further.</summary>
    Refused = 1,

    /// <summary>Originator: every destination co-signed, retention requested. Destination: it co-signed.</summary>
    CoSigned = 2,

    /// <summary>Destination: it rejected the voucher (and told the originator).</summary>
    Rejected = 3,

    /// <summary>Auxiliary or destination: it sent a signed confirmation (or refusal) of a voucher.</summary>
    Confirmed = 4,

    /// <summary>A paying institution co-signed a clearing relation.</summary>
    RelationCoSigned = 5,

    /// <summary>Third party: the retention and clearing-relation vouchers are made, co-signed and sent to every institution involved.</summary>
    Retained = 6,

    /// <summary>Originator or third party: retention failed (refused, or the third party never answered); nothing is published.</summary>
    RetentionFailed = 7,

    /// <summary>Originator: both vouchers verified (step 310): the user's request may be processed.</summary>
    Approved = 8,

    /// <summary>Destination or auxiliary: it verified both vouchers of a retention notice.</summary>
    VouchersVerified = 9,

    /// <summary>A paying institution made its clearing voucher, to publish (see <see cref="VoucherStep.Publications"/>).</summary>
    ClearingPrepared = 10,

    /// <summary>A paying institution could not make its clearing voucher (e.g. insufficient assets).</summary>
    ClearingFailed = 11,

    /// <summary>An incoming message was refused (forged, altered, replayed, unknown, not for us…) and changed nothing.</summary>
    MessageRefused = 12,
}

/// <summary>Something that happened at a voucher party, with a typed reason when it is a failure.</summary>
/// <param name="Institution">The institution where it happened.</param>
/// <param name="VoucherId">The transaction voucher concerned (zero when the request was refused before a voucher existed).</param>
/// <param name="Kind">What happened.</param>
/// <param name="Failure">Why, for failures; <see cref="VoucherFailure.None"/> otherwise.</param>
/// <param name="RemoteFailure">The code another institution gave in a signed refusal, when the failure came from one.</param>
/// <param name="Detail">A human-readable account, for logs; never parsed.</param>
public readonly record struct FlowEvent(
    InstitutionId Institution, Hash256 VoucherId, FlowEventKind Kind, VoucherFailure Failure, VoucherFailure RemoteFailure, string Detail);

/// <summary>A message a party wants sent.</summary>
/// <param name="To">The receiving institution.</param>
/// <param name="Message">The message.</param>
public readonly record struct OutboundMessage(InstitutionId To, VoucherMessage Message);

/// <summary>
/// What one input to a voucher party produced: messages to send, events, and clearing publications to submit to the
/// voucher ledger chain. The party has already changed its state; the driver carries these out.
/// </summary>
public sealed class VoucherStep
{
    internal VoucherStep(IReadOnlyList<OutboundMessage> messages, IReadOnlyList<FlowEvent> events, IReadOnlyList<ClearingPublication> publications)
    {
        Messages = messages;
        Events = events;
        Publications = publications;
    }

    /// <summary>Nothing to do.</summary>
    public static VoucherStep Empty { get; } = new([], [], []);

    /// <summary>The messages to send, in order.</summary>
    public IReadOnlyList<OutboundMessage> Messages { get; }

    /// <summary>What happened, in order.</summary>
    public IReadOnlyList<FlowEvent> Events { get; }

    /// <summary>Clearing vouchers to publish on the voucher ledger chain (<see cref="ClearingPublication.ToPayload"/>).</summary>
    public IReadOnlyList<ClearingPublication> Publications { get; }
}

/// <summary>Collects one step's outputs.</summary>
internal sealed class StepBuilder(InstitutionId self)
{
    private List<OutboundMessage>? _messages;
    private List<FlowEvent>? _events;
    private List<ClearingPublication>? _publications;

    public void Send(InstitutionId to, VoucherMessage message) => (_messages ??= []).Add(new OutboundMessage(to, message));

    public void Event(Hash256 voucherId, FlowEventKind kind, string detail) =>
        (_events ??= []).Add(new FlowEvent(self, voucherId, kind, VoucherFailure.None, VoucherFailure.None, detail));

    public void Fail(Hash256 voucherId, FlowEventKind kind, VoucherCheck check, VoucherFailure remote = VoucherFailure.None) =>
        (_events ??= []).Add(new FlowEvent(self, voucherId, kind, check.Failure, remote, check.Detail));

    public void Fail(Hash256 voucherId, FlowEventKind kind, VoucherFailure failure, string detail, VoucherFailure remote = VoucherFailure.None) =>
        (_events ??= []).Add(new FlowEvent(self, voucherId, kind, failure, remote, detail));

    public void Publish(ClearingPublication publication) => (_publications ??= []).Add(publication);

    public VoucherStep Build() =>
        _messages is null && _events is null && _publications is null
            ? VoucherStep.Empty
            : new VoucherStep(_messages ?? [], _events ?? [], _publications ?? []);
}

/// <summary>A voucher party as a driver sees it: one input at a time, outputs returned (sans-IO).</summary>
public interface IVoucherParty
{
    /// <summary>The institution this party acts for.</summary>
    InstitutionId Id { get; }

    /// <summary>Handles one received message.</summary>
    /// <param name="message">The decoded message.</param>
    /// <param name="nowMs">The current time, Unix milliseconds.</param>
    /// <returns>What to do.</returns>
    VoucherStep Receive(VoucherMessage message, long nowMs);

    /// <summary>Lets time pass: fires every deadline at or before <paramref name="nowMs"/>.</summary>
    /// <param name="nowMs">The current time, Unix milliseconds.</param>
    /// <returns>What to do.</returns>
    VoucherStep Tick(long nowMs);
}
