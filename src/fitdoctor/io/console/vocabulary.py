"""Metric words of logs printed in Chinese, in the English the rest of the reader knows.

``Epoch 16 完成 | 训练损失: 4.6130 | 验证损失: 6.0073`` is ``Epoch 16 | train_loss: 4.6130 |
val_loss: 6.0073``; ``✓ 保存最佳模型，验证损失: 5.9688`` ("saved the best model") is a checkpoint
message, not a record. Compound terms come first (``验证损失`` before ``损失``), so each split keeps
its own key; full-width punctuation becomes ASCII so ``损失：0.41`` is a pair.
"""

from __future__ import annotations

import re

#: word -> English, longest first within each group (policy as data)
CHINESE: dict[str, str] = {
    # a checkpoint or best-model message: callback chatter (patterns.CALLBACK)
    "保存最佳模型": " saving best model ", "最佳模型已保存": " saving best model ", "保存模型": " saving model ",
    # split + metric
    "训练集损失": "train_loss", "验证集损失": "val_loss", "测试集损失": "test_loss",
    "训练损失": "train_loss", "验证损失": "val_loss", "测试损失": "test_loss",
    "训练集准确率": "train_acc", "验证集准确率": "val_acc", "测试集准确率": "test_acc",
    "训练准确率": "train_acc", "验证准确率": "val_acc", "测试准确率": "test_acc",
    "训练精度": "train_acc", "验证精度": "val_acc", "测试精度": "test_acc",
    # metric or split alone
    "平均损失": "avg_loss", "损失值": "loss", "损失": "loss", "准确率": "acc", "正确率": "acc", "准确度": "acc",
    "精度": "acc", "学习率": "lr", "验证集": "val ", "训练集": "train ", "测试集": "test ",
    "验证": "val ", "训练": "train ", "测试": "test ",
}
_FULL_WIDTH = {"：": ": ", "，": ", ", "（": " (", "）": ") ", "｜": "|"}
#: "第 3 轮" / "第3个epoch": epoch 3
_NTH_EPOCH = re.compile(r"第\s*(\d+)\s*(?:轮|个?\s*epoch|次迭代)", re.I)
_ANY = re.compile("|".join(map(re.escape, sorted(CHINESE, key=len, reverse=True))))
_CJK = re.compile(r"[\u4e00-\u9fff]")


def translate(text: str) -> str:
    """``text`` with its Chinese metric words in English; unchanged when it holds none."""
    if _CJK.search(text) is None or _ANY.search(text) is None:
        return text
    text = _NTH_EPOCH.sub(lambda m: f"epoch {m.group(1)}", text)
    text = _ANY.sub(lambda m: CHINESE[m.group(0)], text)
    for wide, ascii_ in _FULL_WIDTH.items():
        text = text.replace(wide, ascii_)
    return text
