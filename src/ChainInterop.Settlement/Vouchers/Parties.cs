using System.Diagnostics.CodeAnalysis;
using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Vouchers;

/// <summary>A flow of a party that awaits answers from some institutions about one transaction voucher.</summary>
internal interface IAwaitingFlow
{
    /// <summary>The transaction voucher.</summary>
    TransactionVoucher Voucher { get; }

    /// <summary>The institutions whose answer is still awaited.</summary>
    HashSet<InstitutionId> Awaiting { get; }
}

/// <summary>Construction, dispatch and timing skeletons shared by the parties.</summary>
internal static class Parties
{
    /// <summary>
    /// The common construction checks: <paramref name="key"/> and <paramref name="directory"/> are set, then
    /// <paramref name="checkOthers"/> (the role's own arguments), then the key is the directory's key for
    /// <paramref name="id"/>; returns the validated options (defaults when null).
    /// </summary>
    internal static VoucherProtocolOptions Configure(
        InstitutionId id, PrivateKey key, InstitutionDirectory directory, VoucherProtocolOptions? options, Action checkOthers)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(directory);
        checkOthers();
        RequireOwnKey(id, key, directory);
        var configured = options ?? new VoucherProtocolOptions();
        configured.Validate();
        return configured;
    }

    /// <summary>Throws unless <paramref name="key"/> is the directory's key for <paramref name="id"/>.</summary>
    internal static void RequireOwnKey(InstitutionId id, PrivateKey key, InstitutionDirectory directory)
    {
        if (!directory.TryGet(id, out var entry))
        {
            throw new ArgumentException($"Institution {id} is not in the directory.", nameof(id));
        }

        if (entry.PublicKey != key.PublicKey)
        {
            throw new ArgumentException($"The key is not the one the directory lists for {id}.", nameof(key));
        }
    }

    /// <summary>
    /// <see cref="IVoucherParty.Receive"/>: <paramref name="dispatch"/> handles the message and returns false for a
    /// kind <paramref name="role"/> does not take, which is refused.
    /// </summary>
    internal static VoucherStep Receive(InstitutionId self, VoucherMessage message, string role, Func<StepBuilder, bool> dispatch)
    {
        ArgumentNullException.ThrowIfNull(message);
        var step = new StepBuilder(self);
        if (!dispatch(step))
        {
            step.Fail(default, FlowEventKind.MessageRefused, VoucherFailure.UnexpectedMessage, $"{role} does not take {message.Kind}");
        }

        return step.Build();
    }

    /// <summary>Calls <paramref name="expire"/> on every entry of <paramref name="flows"/> due at <paramref name="nowMs"/>, in id order.</summary>
    internal static void ForEachDue<T>(Dictionary<Hash256, T> flows, Func<T, long> deadline, long nowMs, Action<Hash256, T> expire)
    {
        foreach (var id in PartyChecks.Due(flows, deadline, nowMs))
        {
            expire(id, flows[id]);
        }
    }

    /// <summary>
    /// Checks a confirmation against the flow awaiting it: the flow is known (<paramref name="flow"/> not null), the
    /// confirming institution is awaited (a repeat from an institution of <paramref name="senderRole"/> is a replay,
    /// anyone else an unexpected signer) and its signature verifies. Otherwise the message is refused on
    /// <paramref name="step"/>.
    /// </summary>
    /// <param name="confirmation">The confirmation received.</param>
    /// <param name="flow">The flow awaiting it; null when there is none.</param>
    /// <param name="awaits">What the flow awaits, for the unknown-flow detail.</param>
    /// <param name="senderRole">The role of the institutions the flow awaits.</param>
    /// <param name="directory">The trust root.</param>
    /// <param name="step">The step to record a refusal on.</param>
    /// <returns>True when the confirmation is taken (the caller then acts on <see cref="VoucherConfirmation.Confirmed"/>).</returns>
    internal static bool TakeConfirmation<TFlow>(
        VoucherConfirmation confirmation, [NotNullWhen(true)] TFlow? flow, string awaits, ParticipantRole senderRole, InstitutionDirectory directory,
        StepBuilder step)
        where TFlow : class, IAwaitingFlow
    {
        var id = confirmation.VoucherId;
        if (flow is null)
        {
            step.Fail(id, FlowEventKind.MessageRefused, VoucherFailure.UnknownFlow, $"no voucher {id.ToShortString()} {awaits}");
            return false;
        }

        if (!flow.Awaiting.Contains(confirmation.Institution))
        {
            var failure = flow.Voucher.RoleOf(confirmation.Institution) == senderRole ? VoucherFailure.Replayed : VoucherFailure.UnexpectedSigner;
            step.Fail(id, FlowEventKind.MessageRefused, failure, $"no confirmation from {confirmation.Institution} is awaited");
            return false;
        }

        var check = confirmation.Verify(directory);
        if (!check.IsValid)
        {
            step.Fail(id, FlowEventKind.MessageRefused, check);
            return false;
        }

        return true;
    }
}
