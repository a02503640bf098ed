namespace ChainInterop.Blocks;

/// <summary>Why a block, a chain of blocks or a commit certificate failed verification. Values are stable codes.</summary>
public enum VerificationFailure
{
    /// <summary>Nothing failed.</summary>
    None = 0,

    /// <summary>The bytes of a block did not decode (see the detail for the codec error and offset).</summary>
    Undecodable = 1,

    /// <summary>A block belongs to another chain.</summary>
    ChainIdMismatch = 2,

    /// <summary>A block's height is not one more than its predecessor's (or not the expected first height).</summary>
    HeightNotSequential = 3,

    /// <summary>A block's previous hash is not the hash of its predecessor's header.</summary>
    PreviousHashMismatch = 4,

    /// <summary>A block's timestamp is earlier than its predecessor's.</summary>
    TimestampRegression = 5,

    /// <summary>The entries do not hash to the header's entries root.</summary>
    EntriesRootMismatch = 6,

    /// <summary>The hash records do not hash to the header's hash-records root.</summary>
    HashRecordsRootMismatch = 7,

    /// <summary>The block carries no commit certificate.</summary>
    MissingCertificate = 8,

    /// <summary>The certificate certifies another header.</summary>
    CertificateHeaderMismatch = 9,

    /// <summary>A certificate signer is not a validator of the chain.</summary>
    UnknownSigner = 10,

    /// <summary>A certificate names one signer twice.</summary>
    DuplicateSigner = 11,

    /// <summary>A certificate signature does not verify.</summary>
    InvalidSignature = 12,

    /// <summary>Fewer valid signatures than the quorum.</summary>
    InsufficientSignatures = 13,

    /// <summary>The block's proposer is not a validator of the chain.</summary>
    UnknownProposer = 14,
}
