// ChainInterop sample: bank-to-bank settlement, built up issue by issue.
// Run: dotnet run --project samples/ChainInterop.Samples.BankToBank
using ChainInterop.Samples.BankToBank;
using ChainInterop.Storage;

// 1. Identities, signatures, canonical encoding and a verified chain.
FoundationDemo.Run();

// 2. An intermediary's dual-chain ledger (ABC + two TBCs) on disk, surviving a restart, in both storage modes:
//    switching between physical and logical isolation is one option.
await IntermediaryDemo.RunAsync(StorageIsolation.Physical);
await IntermediaryDemo.RunAsync(StorageIsolation.Logical);

// 3. A cross-bank card payment through co-signed vouchers, cleared on a PBFT voucher ledger (seed 001, V1–V4).
await VoucherDemo.RunAsync();

// 4. A metered service paid through an iterative payment channel: 1,000 payments off chain, one on chain (seed 004).
await ChannelDemo.RunAsync();
