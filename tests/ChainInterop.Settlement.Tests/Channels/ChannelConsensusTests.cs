using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Consensus;
using ChainInterop.Consensus.Hosting;
using ChainInterop.Crypto;
using ChainInterop.Ledger;
using ChainInterop.Settlement.Channels;
using static ChainInterop.Settlement.Tests.Channels.ChannelTestSupport;

namespace ChainInterop.Settlement.Tests.Channels;

/// <summary>
/// The settlement contract as the application of a 4-validator PBFT <see cref="InProcessChain"/>: every validator
/// executes the committed requests on its own copy, and every copy must agree.
/// </summary>
public class ChannelConsensusTests
{
    private const long Funds = 1_000_000;

    [Fact]
    public async Task A_thousand_iterative_transactions_settle_with_one_on_chain_submission_on_every_validator_P1_P2_P4()
    {
        await using var chain = await ChannelChain.StartAsync();
        var terms = LiveTerms(units: 1_000, unitPrice: 25, TimingMode.PayAfterDelivery);
        var (payer, provider) = await chain.OpenAsync(terms);

        // 1,000 units, each paid by a new iterative transaction, all off chain.
        var signed = RunHonest(payer, provider, 1_000, Now());
        Assert.Equal(1_000, signed.Count);
        Assert.Equal((ProviderPhase.Settling, CloseReason.MaxUnitsReached), (provider.Phase, provider.CloseReason));

        var receipt = await chain.SubmitAsync(ProviderKey, provider.Submission!);
        Assert.Equal(ChannelResultCode.Ok, provider.OnSubmissionOutcome(receipt));
        Assert.Equal((ChannelOutcome.Settled, 1), (provider.Outcome, provider.SubmissionCount));

        await chain.AssertEveryCopyAsync(contract =>
        {
            Assert.Equal(Funds - 25_000, Posted(contract, PayerAccount));
            Assert.Equal(25_000, Posted(contract, ProviderAccount));
            Assert.Equal(TransferState.Voided, contract.GetCollateralState(terms.Id));
            Assert.Equal(1, contract.ExecutedPaymentCount);
        });

        // Exactly one payment went on chain for the thousand: count the committed entries themselves.
        var kinds = await chain.CommittedKindsAsync();
        Assert.Equal(1, kinds.Count(k => k == ChannelCommandKind.SubmitPayment));
        Assert.Equal(0, kinds.Count(k => k == ChannelCommandKind.ClaimCollateral));
        Assert.Equal(1, kinds.Count(k => k == ChannelCommandKind.OpenChannel));
    }

    [Fact]
    public async Task A_payer_who_spends_the_nonce_elsewhere_pays_from_its_collateral_on_every_validator_P4()
    {
        await using var chain = await ChannelChain.StartAsync();
        var terms = LiveTerms(units: 20, unitPrice: 100, TimingMode.Prepay);
        var (payer, provider) = await chain.OpenAsync(terms);
        var signed = RunHonest(payer, provider, 20, Now());

        // Having received every unit, the payer spends the channel's nonce on a transfer to a merchant.
        var elsewhere = PaymentTransaction.Create(PayerKey, Chain, PayerAccount, Merchant, Cny, M(10), terms.Nonce, default);
        Assert.Equal(ChannelResultCode.Ok, (await chain.SubmitAsync(StrangerKey, new SubmitPaymentCommand(elsewhere))).Code);

        var refused = await chain.SubmitAsync(ProviderKey, provider.Submission!);
        Assert.Equal(ChannelResultCode.NonceAlreadyUsed, refused.Code);
        provider.OnSubmissionOutcome(refused);
        var claimed = await chain.SubmitAsync(ProviderKey, provider.Submission!);
        Assert.Equal(ChannelResultCode.Ok, claimed.Code);
        provider.OnSubmissionOutcome(claimed);
        Assert.Equal(ChannelOutcome.Claimed, provider.Outcome);

        // An old iterative transaction replayed after close changes nothing.
        Assert.Equal(ChannelResultCode.ChannelNotOpen, (await chain.SubmitAsync(ProviderKey, new SubmitPaymentCommand(signed[0]))).Code);

        await chain.AssertEveryCopyAsync(contract =>
        {
            Assert.Equal(2_000, Posted(contract, ProviderAccount));
            Assert.Equal(250, Posted(contract, PenaltyFund)); // 50 + 10 % of 2,000
            Assert.Equal(10, Posted(contract, Merchant));
            Assert.Equal(Funds - 2_000 - 250 - 10, Posted(contract, PayerAccount));
            Assert.Equal(TransferState.Posted, contract.GetCollateralState(terms.Id));
        });
    }

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>Terms whose deadline is an hour from now: the chain's block times are wall-clock times.</summary>
    private static ChannelTerms LiveTerms(long units, long unitPrice, TimingMode timing) =>
        Terms(timing, maxUnits: units, unitPrice: unitPrice, deadline: Now() + 3_600_000, timeoutMs: 600_000);

    private static long Posted(ChannelContract contract, AccountId account) =>
        contract.TryGetBalance(account, Cny, out var balance) ? balance.Posted.MinorUnits : throw new KeyNotFoundException(account.Value);

    /// <summary>A 4-validator PBFT chain whose application is the channel contract, one copy per validator.</summary>
    private sealed class ChannelChain : IAsyncDisposable
    {
        private readonly ReplicatedApplication<ChannelContract> _copies;
        private readonly Dictionary<PublicKey, ChainClient> _clients = [];
        private InProcessChain _chain = null!;

        private ChannelChain(int validators)
        {
            _copies = new ReplicatedApplication<ChannelContract>(validators, _ =>
            {
                var options = new ChannelContractOptions { Chain = Chain, Operator = OperatorKey.PublicKey };
                options.Assets.Add(Cny);
                return new ChannelContract(options);
            });
        }

        public static async Task<ChannelChain> StartAsync()
        {
            var harness = new ChannelChain(4);
            harness._chain = await InProcessChain.StartAsync(
                new InProcessChainOptions { ChainId = Chain, UseDemoKeys = true, ValidatorCount = 4, Engine = ConsensusEngines.Pbft, ConfigureReplica = o => o.BatchDelayMs = 1 },
                harness._copies.Application);
            foreach (var account in new[] { PayerAccount, ProviderAccount, Merchant })
            {
                var key = account == PayerAccount ? PayerKey : account == ProviderAccount ? ProviderKey : StrangerKey;
                await harness.OkAsync(OperatorKey, new RegisterAccountCommand(account, Bank, key.PublicKey, [Cny]));
            }

            await harness.OkAsync(OperatorKey, new RegisterAccountCommand(PenaltyFund, Bank, null, [Cny]));
            await harness.OkAsync(OperatorKey, new DepositCommand(PayerAccount, Cny, M(Funds)));
            return harness;
        }

        /// <summary>Agrees on <paramref name="terms"/>, opens the channel on chain, and confirms the collateral to the provider.</summary>
        public async Task<(ChannelPayer Payer, ChannelProvider Provider)> OpenAsync(ChannelTerms terms)
        {
            var agreement = Agree(terms);
            Assert.Equal(ChannelResultCode.Ok, ChannelPayer.TryCreate(agreement, PayerKey, Now(), out var payer));
            Assert.Equal(ChannelResultCode.Ok, ChannelProvider.TryCreate(agreement, Now(), out var provider));
            await OkAsync(PayerKey, new OpenChannelCommand(agreement));
            Assert.Equal(ChannelResultCode.Ok, provider!.ConfirmCollateral(Now()));
            return (payer!, provider);
        }

        /// <summary>Submits a command, waits for every validator to execute it, and returns the receipt all copies agree on.</summary>
        public async Task<ChannelReceipt> SubmitAsync(PrivateKey key, ChannelCommand command)
        {
            if (!_clients.TryGetValue(key.PublicKey, out var client))
            {
                client = _chain.CreateClient(key);
                _clients.Add(key.PublicKey, client);
            }

            var reply = await client.SubmitAsync(command.ToPayload()).WaitAsync(TimeSpan.FromSeconds(120));
            await WaitForAllAsync(reply.Height);
            var receipts = Enumerable.Range(0, _copies.Count).Select(i => _copies.Read(i, copy =>
            {
                Assert.True(copy.TryGetReceipt(reply.RequestDigest, out var receipt));
                return receipt;
            })).ToArray();
            Assert.All(receipts, r => Assert.Equal(receipts[0], r));
            return receipts[0];
        }

        /// <summary>Runs the checks on every validator's copy, then checks that all copies hold the same state and conserve the asset.</summary>
        public async Task AssertEveryCopyAsync(Action<ChannelContract> check)
        {
            await WaitForAllAsync(_chain.Stores[0].Tip!.Height);
            var hashes = new List<Hash256>();
            for (int i = 0; i < _copies.Count; i++)
            {
                _copies.Read(i, copy =>
                {
                    check(copy);
                    long posted = 0, pendingDebits = 0, pendingCredits = 0;
                    foreach (var account in copy.GetAccountIds())
                    {
                        Assert.True(copy.TryGetBalance(account, Cny, out var b));
                        posted = checked(posted + b.Posted.MinorUnits);
                        pendingDebits += b.PendingDebits.MinorUnits;
                        pendingCredits += b.PendingCredits.MinorUnits;
                    }

                    Assert.Equal(Funds, posted);
                    Assert.Equal(pendingDebits, pendingCredits);
                    hashes.Add(copy.ComputeStateHash());
                    return 0;
                });
            }

            Assert.All(hashes, h => Assert.Equal(hashes[0], h));
        }

        /// <summary>The command kind of every entry committed on validator 0's store, in order.</summary>
        public async Task<List<ChannelCommandKind>> CommittedKindsAsync()
        {
            var kinds = new List<ChannelCommandKind>();
            await foreach (Block block in _chain.Stores[0].ReadAsync())
            {
                foreach (var entry in block.Entries)
                {
                    var request = Canonical.Decode<ClientRequest>(entry);
                    kinds.Add(Canonical.Decode<ChannelCommand>(request.Payload).Kind);
                }
            }

            return kinds;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var client in _clients.Values)
            {
                client.Dispose();
            }

            await _chain.DisposeAsync();
        }

        private async Task OkAsync(PrivateKey key, ChannelCommand command)
        {
            var receipt = await SubmitAsync(key, command);
            Assert.True(receipt.IsSuccess, $"{command.Kind}: {receipt.Code} {receipt.LedgerCode}");
        }

        private Task WaitForAllAsync(ulong height) => _copies.WaitForHeightAsync(height).WaitAsync(TimeSpan.FromSeconds(120));
    }
}
