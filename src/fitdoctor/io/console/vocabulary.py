"""Metric words of logs printed in Chinese and other languages, in the English the rest of the
reader knows.

``Epoch 16 完成 | 训练损失: 4.6130 | 验证损失: 6.0073`` is ``Epoch 16 | train_loss: 4.6130 |
val_loss: 6.0073``; ``✓ 保存最佳模型，验证损失: 5.9688`` ("saved the best model") is a checkpoint
message, not a record. Compound terms come first (``验证损失`` before ``损失``), so each split keeps
its own key; full-width punctuation becomes ASCII so ``损失：0.41`` is a pair.

Logs in a language written in Latin or Cyrillic letters (``[Epoka 0] Średni loss: 0.69``,
``pas 120 | pierdere 0.5676``) are translated word by word, and only when the language's own word
for the loss is in the text: a table is applied to the language it was written for, so ``pas``
or ``perte`` in an English log stays as it is.
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
    "精度": "acc", "学习率": "lr", "步骤": "step", "步数": "step", "轮次": "epoch", "轮数": "epoch", "验证集": "val ", "训练集": "train ", "测试集": "test ",
    "验证": "val ", "训练": "train ", "测试": "test ",
}
#: language -> (its words for the loss, which say the log is in it; word -> English). Whole words,
#: any case; longer phrases first.
WORDS: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "polish": (("strata", "straty", "średni loss", "sredni loss"), {
        "nowy najlepszy": "saving best", "zapisano najlepszy": "saving best",
        "średni loss": "avg_loss", "sredni loss": "avg_loss", "średnia strata": "avg_loss",
        "strata": "loss", "straty": "loss", "dokładność": "acc", "dokladnosc": "acc",
        "epoka": "epoch", "krok": "step", "walidacja": "val", "walidacyjna": "val", "walidacyjny": "val",
        "treningowa": "train", "treningowy": "train", "trening": "train", "ostatni": "last"}),
    "romanian": (("pierdere", "pierderea", "pierderi"), {
        "pierderea": "loss", "pierdere": "loss", "pierderi": "loss", "acuratețe": "acc", "acuratete": "acc",
        "acuratețea": "acc", "epoca": "epoch", "epocă": "epoch", "pas": "step", "pasul": "step",
        "validare": "val", "validarea": "val", "antrenare": "train", "antrenament": "train"}),
    "spanish": (("pérdida", "perdida"), {
        "pérdida": "loss", "perdida": "loss", "precisión": "acc", "exactitud": "acc", "época": "epoch",
        "epoca": "epoch", "paso": "step", "validación": "val", "validacion": "val",
        "entrenamiento": "train", "prueba": "test"}),
    "portuguese": (("perda",), {
        "perda": "loss", "acurácia": "acc", "acuracia": "acc", "precisão": "acc", "época": "epoch",
        "epoca": "epoch", "passo": "step", "validação": "val", "validacao": "val", "treinamento": "train",
        "treino": "train", "teste": "test"}),
    "german": (("verlust",), {
        "verlust": "loss", "genauigkeit": "acc", "epoche": "epoch", "schritt": "step",
        "validierung": "val", "validierungs": "val", "trainings": "train"}),
    "french": (("perte",), {
        "perte": "loss", "précision": "acc", "exactitude": "acc", "époque": "epoch", "epoque": "epoch",
        "étape": "step", "entraînement": "train", "entrainement": "train"}),
    "italian": (("perdita",), {
        "perdita": "loss", "accuratezza": "acc", "epoca": "epoch", "passo": "step",
        "validazione": "val", "addestramento": "train"}),
    "russian": (("потери", "потеря", "лосс"), {
        "потери": "loss", "потеря": "loss", "лосс": "loss", "точность": "acc",
        "эпоха": "epoch", "эпохи": "epoch", "шаг": "step", "валидация": "val", "валидации": "val",
        "валидационная": "val", "обучение": "train", "обучения": "train", "тест": "test"}),
}
_LETTERS = r"[^\W\d_]"
_TRIGGERS = {lang: re.compile(r"(?<!" + _LETTERS + r")(?:" + "|".join(map(re.escape, loss)) + r")(?!" + _LETTERS + r")", re.I)
             for lang, (loss, _) in WORDS.items()}
#: any language's loss word: one scan of the text instead of one per language (every console
#: log passes through here, and most are in English)
_ANY_TRIGGER = re.compile(r"(?<!" + _LETTERS + r")(?:" + "|".join(re.escape(w) for loss, _ in WORDS.values() for w in loss)
                          + r")(?!" + _LETTERS + r")", re.I)
_WORD_RES = {lang: re.compile(r"(?<!" + _LETTERS + r")(?:" + "|".join(map(re.escape, sorted(table, key=len, reverse=True)))
                              + r")(?!" + _LETTERS + r")", re.I)
             for lang, (_, table) in WORDS.items()}
_FULL_WIDTH = {"：": ": ", "，": ", ", "（": " (", "）": ") ", "｜": "|"}
#: "第 3 轮" / "第3个epoch": epoch 3
_NTH_EPOCH = re.compile(r"第\s*(\d+)\s*(?:轮|个?\s*epoch|次迭代)", re.I)
_ANY = re.compile("|".join(map(re.escape, sorted(CHINESE, key=len, reverse=True))))
_CJK = re.compile(r"[\u4e00-\u9fff]")


def translate(text: str) -> str:
    """``text`` with its metric words in English; unchanged when it holds none."""
    if _ANY_TRIGGER.search(text) is not None:
        for lang, (_, table) in WORDS.items():
            if _TRIGGERS[lang].search(text) is not None:
                text = _WORD_RES[lang].sub(lambda m, t=table: t[m.group(0).lower()], text)
    if _CJK.search(text) is None or _ANY.search(text) is None:
        return text
    text = _NTH_EPOCH.sub(lambda m: f"epoch {m.group(1)}", text)
    text = _ANY.sub(lambda m: CHINESE[m.group(0)], text)
    for wide, ascii_ in _FULL_WIDTH.items():
        text = text.replace(wide, ascii_)
    return text
