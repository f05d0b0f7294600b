// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Sealane Inbox
/// @notice Receives batches of sealed L2 blocks from the batch poster. It checks that batches
/// arrive in sequence and cover consecutive L2 blocks, keeps a running hash of all batch data,
/// and emits an event from which anyone can rebuild the L2 chain using L1 data alone.
contract Inbox {
    /// The only account allowed to append batches.
    address public immutable poster;
    /// Number of batches appended so far; the next batch must carry this sequence number.
    uint256 public batchCount;
    /// The first L2 block the next batch must start with.
    uint64 public nextBlock;
    /// keccak256(previous accumulator ‖ keccak256(batch data)), over all batches.
    bytes32 public accumulator;
    /// Accumulator after each batch, by sequence number.
    mapping(uint256 => bytes32) public accumulators;

    event BatchAppended(
        uint256 indexed sequenceNumber,
        uint64 firstBlock,
        uint64 lastBlock,
        bytes32 dataHash,
        bytes32 accumulator
    );

    error NotPoster(address sender);
    error BadSequenceNumber(uint256 expected, uint256 given);
    error BadBlockRange(uint64 expectedFirst, uint64 firstBlock, uint64 lastBlock);
    error EmptyBatch();

    constructor(address poster_, uint64 firstBlock) {
        poster = poster_;
        nextBlock = firstBlock;
    }

    function appendBatch(uint256 sequenceNumber, uint64 firstBlock, uint64 lastBlock, bytes calldata data) external {
        if (msg.sender != poster) revert NotPoster(msg.sender);
        if (sequenceNumber != batchCount) revert BadSequenceNumber(batchCount, sequenceNumber);
        if (firstBlock != nextBlock || lastBlock < firstBlock) revert BadBlockRange(nextBlock, firstBlock, lastBlock);
        if (data.length == 0) revert EmptyBatch();
        bytes32 dataHash = keccak256(data);
        bytes32 acc = keccak256(abi.encodePacked(accumulator, dataHash));
        accumulator = acc;
        accumulators[sequenceNumber] = acc;
        batchCount = sequenceNumber + 1;
        nextBlock = lastBlock + 1;
        emit BatchAppended(sequenceNumber, firstBlock, lastBlock, dataHash, acc);
    }
}
