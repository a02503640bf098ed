namespace ChainInterop.Framing;

/// <summary>What <see cref="Frame.TryRead"/> found at the start of a buffer. Values are stable codes.</summary>
public enum FrameStatus
{
    /// <summary>A whole, intact frame was read.</summary>
    Complete = 0,

    /// <summary>The buffer ends inside the header or the payload: wait for more bytes (or, at end of file, a torn tail).</summary>
    NeedMoreData = 1,

    /// <summary>The version or reserved byte is not one this build reads.</summary>
    UnsupportedVersion = 2,

    /// <summary>The declared payload length is negative or over the limit.</summary>
    TooLarge = 3,

    /// <summary>The frame is complete but its CRC-32C does not match.</summary>
    ChecksumMismatch = 4,
}
