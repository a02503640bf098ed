namespace ChainInterop.Settlement.Channels;

/// <summary>The outcome of <see cref="ChannelPayer.Pay"/>: a code and, when <see cref="ChannelResultCode.Ok"/>, the iterative transaction to send.</summary>
/// <param name="Code">The outcome.</param>
/// <param name="Transaction">The new iterative transaction, or null when refused.</param>
public readonly record struct PaymentResult(ChannelResultCode Code, PaymentTransaction? Transaction);
