namespace ChainInterop.Settlement.Channels;

/// <summary>The outcome of <see cref="ChannelProvider.Deliver"/>.</summary>
/// <param name="Code">The outcome.</param>
/// <param name="UnitIndex">The 1-based index of the unit to hand over when <paramref name="Code"/> is <see cref="ChannelResultCode.Ok"/>; otherwise 0.</param>
public readonly record struct DeliveryResult(ChannelResultCode Code, long UnitIndex);
