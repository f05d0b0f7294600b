// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Sealane Inbox
/// @notice The L1 side of the rollup. It publishes the L2 genesis, receives batches of sealed L2
/// blocks from the batch poster (in sequence, over consecutive blocks, each with the output root
/// of its last block), keeps a running hash of all batch data, and queues transactions that
/// anyone forces into the L2 chain. Its events and the calldata of the calls that emitted them
/// are everything needed to rebuild and check the L2 chain (see the README, "Derivation").
contract Inbox {
    /// The only account allowed to append batches.
    address public immutable poster;
    /// Hash of the L2 genesis block, and keccak256 of the genesis config published with it.
    bytes32 public immutable genesisHash;
    bytes32 public immutable genesisConfigHash;
    /// What forceInclude costs (held by the Inbox: spam pays), and its largest transaction.
    uint256 public immutable forceInclusionFee;
    uint256 public immutable maxForcedTxBytes;

    /// Number of batches appended so far; the next batch must carry this sequence number.
    uint256 public batchCount;
    /// The first L2 block the next batch must start with.
    uint64 public nextBlock;
    /// keccak256(previous accumulator ‖ keccak256(batch data)), over all batches.
    bytes32 public accumulator;
    /// Accumulator after each batch, by sequence number.
    mapping(uint256 => bytes32) public accumulators;
    /// Output root of each batch's last block, by sequence number (see outputRoot in the README).
    mapping(uint256 => bytes32) public outputRoots;
    /// Number of transactions forced so far; the next one gets this index.
    uint256 public forcedCount;
    /// keccak256 of each forced transaction, by index.
    mapping(uint256 => bytes32) public forcedTxHashes;

    event Genesis(bytes32 genesisHash, bytes config);
    event BatchAppended(
        uint256 indexed sequenceNumber,
        uint64 firstBlock,
        uint64 lastBlock,
        bytes32 dataHash,
        bytes32 accumulator,
        bytes32 outputRoot
    );
    event ForcedInclusion(uint256 indexed index, bytes32 txHash, address indexed sender, uint64 timestamp, bytes rawTx);

    error NotPoster(address sender);
    error BadSequenceNumber(uint256 expected, uint256 given);
    error BadBlockRange(uint64 expectedFirst, uint64 firstBlock, uint64 lastBlock);
    error EmptyBatch();
    error FeeTooLow(uint256 required, uint256 given);
    error BadForcedTxSize(uint256 size, uint256 max);

    constructor(
        address poster_,
        uint64 firstBlock,
        bytes32 genesisHash_,
        bytes memory genesisConfig,
        uint256 forceInclusionFee_,
        uint256 maxForcedTxBytes_
    ) {
        poster = poster_;
        nextBlock = firstBlock;
        genesisHash = genesisHash_;
        genesisConfigHash = keccak256(genesisConfig);
        forceInclusionFee = forceInclusionFee_;
        maxForcedTxBytes = maxForcedTxBytes_;
        emit Genesis(genesisHash_, genesisConfig);
    }

    function appendBatch(
        uint256 sequenceNumber,
        uint64 firstBlock,
        uint64 lastBlock,
        bytes calldata data,
        bytes32 outputRoot
    ) external {
        if (msg.sender != poster) revert NotPoster(msg.sender);
        if (sequenceNumber != batchCount) revert BadSequenceNumber(batchCount, sequenceNumber);
        if (firstBlock != nextBlock || lastBlock < firstBlock) revert BadBlockRange(nextBlock, firstBlock, lastBlock);
        if (data.length == 0) revert EmptyBatch();
        bytes32 dataHash = keccak256(data);
        bytes32 acc = keccak256(abi.encodePacked(accumulator, dataHash));
        accumulator = acc;
        accumulators[sequenceNumber] = acc;
        outputRoots[sequenceNumber] = outputRoot;
        batchCount = sequenceNumber + 1;
        nextBlock = lastBlock + 1;
        emit BatchAppended(sequenceNumber, firstBlock, lastBlock, dataHash, acc, outputRoot);
    }

    /// Queues a signed L2 transaction (EIP-2718 bytes) that the sequencer must include within
    /// forceInclusionDelaySlots slots of its arrival, or the batches that pass the deadline are
    /// invalid. The Inbox does not decode it: an invalid transaction is dropped by derivation.
    function forceInclude(bytes calldata rawTx) external payable returns (uint256 index) {
        if (msg.value < forceInclusionFee) revert FeeTooLow(forceInclusionFee, msg.value);
        if (rawTx.length == 0 || rawTx.length > maxForcedTxBytes) revert BadForcedTxSize(rawTx.length, maxForcedTxBytes);
        index = forcedCount;
        bytes32 txHash = keccak256(rawTx);
        forcedTxHashes[index] = txHash;
        forcedCount = index + 1;
        emit ForcedInclusion(index, txHash, msg.sender, uint64(block.timestamp), rawTx);
    }
}
