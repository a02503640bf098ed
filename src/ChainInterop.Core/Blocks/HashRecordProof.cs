using ChainInterop.Merkle;

namespace ChainInterop.Blocks;

/// <summary>
/// A self-contained proof that a hash record was written in a committed block (C4): the record, its Merkle path
/// to the header's hash-records root, the header, and the header's commit certificate.
/// </summary>
/// <param name="Header">The header of the block holding the record.</param>
/// <param name="Certificate">The header's commit certificate.</param>
/// <param name="Record">The proven record.</param>
/// <param name="Path">The record's inclusion proof under <see cref="BlockHeader.HashRecordsRoot"/>.</param>
public sealed record HashRecordProof(BlockHeader Header, CommitCertificate Certificate, HashRecord Record, MerkleProof Path)
{
    /// <summary>Checks the certificate against <paramref name="validators"/> and the record's path against the certified root.</summary>
    /// <param name="validators">The validators of the record's chain.</param>
    /// <returns>Valid, or what failed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="validators"/> is null.</exception>
    public VerificationResult Verify(ValidatorSet validators)
    {
        var certificate = Certificate.Verify(Header, validators);
        if (!certificate.IsValid)
        {
            return certificate;
        }

        return Path.Verify(Record.Id, Header.HashRecordsRoot)
            ? VerificationResult.Valid
            : VerificationResult.Fail(VerificationFailure.HashRecordsRootMismatch, Header.Height,
                $"record '{Record.Key}' is not leaf {Path.LeafIndex} under the certified hash-records root");
    }
}
