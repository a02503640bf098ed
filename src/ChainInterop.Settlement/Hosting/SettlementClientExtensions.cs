using ChainInterop.Consensus;
using ChainInterop.Consensus.Hosting;
using ChainInterop.Settlement.CrossChainTransactions;
using ChainInterop.Settlement.Relay;

namespace ChainInterop.Settlement.Hosting;

/// <summary>A bank's <see cref="StartTransfer"/> as its PPC answered it, vouched for by f + 1 of the PPC's validators.</summary>
/// <param name="Reply">The reply: where the command was committed.</param>
/// <param name="Result">What the PPC's application did with it.</param>
public sealed record TransferStarted(ClientReply Reply, SettlementReply Result)
{
    /// <summary>Whether the PPC accepted the transfer (the payer's leg is reserved and the request is on its way to the ICC).</summary>
    public bool IsAccepted => Result.IsAccepted;

    /// <summary>Why the PPC refused it (<see cref="TransferFailureReason.None"/> when accepted, or when the chain refused the entry itself: see <see cref="SettlementReply.Code"/>).</summary>
    public TransferFailureReason Reason => Result.Reason;
}

/// <summary>Settlement commands through a <see cref="ChainClient"/> of a settlement chain.</summary>
public static class SettlementClientExtensions
{
    /// <summary>
    /// Commits a bank's <see cref="StartTransfer"/> on its PPC (Alg. 1 (1)–(3)) and returns the PPC's typed answer:
    /// accepted, refused with its <see cref="TransferFailureReason"/>, or <see cref="SettlementEntryCode.Unauthorized"/>
    /// when the client is not one of the PPC's operators.
    /// </summary>
    /// <param name="client">A client of the payer's PPC.</param>
    /// <param name="transfer">The transfer.</param>
    /// <param name="cancellationToken">Stops waiting (the transfer may still be committed).</param>
    /// <returns>The PPC's answer.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="Codec.CodecException">The chain's replies carry no settlement result (it is not a settlement chain).</exception>
    public static async Task<TransferStarted> StartTransferAsync(this ChainClient client, StartTransfer transfer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(transfer);
        var reply = await client.SubmitAsync(SettlementEntry.OwnCommand(transfer).ToCanonicalBytes(), cancellationToken).ConfigureAwait(false);
        return new TransferStarted(reply, SettlementReply.Read(reply));
    }
}
