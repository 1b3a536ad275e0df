# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# [![Abrir no Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/fcn-course/fcn-course/blob/main/notebooks/01_dados_e_metricas.ipynb)

# %%
# Google Colab: instala o curso e (se você quiser) guarda os dados no seu Drive.
# Fora do Colab esta célula só escolhe a língua das mensagens do curso.
USAR_DRIVE = False  # True: dados do curso em MyDrive/fcn_course_data no seu Google Drive
import importlib.util, os.path, subprocess, sys
os.environ['FCN_COURSE_LANG'] = 'pt_BR'  # a língua das mensagens deste notebook
if "google.colab" in sys.modules:
    if importlib.util.find_spec("fcn_course") is None:
        install = subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                                  "git+https://github.com/fcn-course/fcn-course"])
        if install.returncode != 0:
            raise RuntimeError(
                "Não consegui instalar o curso de https://github.com/fcn-course/fcn-course (a "
                "mensagem do pip, acima, diz por quê). Confira a conexão com a internet e se esse "
                "endereço abre no navegador: o Colab não instala de um repositório privado. Depois "
                "rode esta célula de novo."
            )
    from fcn_course.colab import setup_colab
    setup_colab(use_drive=USAR_DRIVE)

# %% [markdown]
# <!-- generated from solutions/notebooks/01_dados_e_metricas.py; edit that file, then run python -m fcn_course.instructor build -->
# # 01 · Dados e métricas
#
# Para consultar a qualquer momento: a [referência rápida](referencia.md) reúne formas, fórmulas e um glossário
# português ↔ inglês. No Colab, o link acima não abre (lá o notebook fica sozinho, sem os outros arquivos do
# curso): use a [mesma página no GitHub](https://github.com/fcn-course/fcn-course/blob/main/notebooks/referencia.md),
# que é o arquivo `notebooks/referencia.md` do repositório.
#
# Bem-vindo ao curso de **segmentação semântica com Fully Convolutional Networks (FCNs)**!
#
# Em segmentação semântica, a rede não dá um único rótulo para a imagem inteira: ela diz **a classe de
# cada pixel**. Ao longo de cinco notebooks, vamos transformar redes de classificação que você já
# conhece (AlexNet e VGG16) em redes que segmentam imagens do Pascal VOC 2012.
#
# | Notebook | Conteúdo |
# |---|---|
# | **01 · Dados e métricas** (este) | hiperparâmetros, métricas (IoU, mIoU, Dice), o Pascal VOC 2012 e os `DataLoader`s; exercício 0 |
# | 02 · FCN com AlexNet | teoria das FCNs, inicialização de Kaiming, *upsampling* bilinear, *skip connections*; exercícios 1 e 2 (FCN-AlexNet) e 3 (otimizador e perda), treino e predições |
# | 03 · *Upsampling* aprendido e perdas | convolução transposta e padrão de xadrez; exercícios 4 (*upsampling* aprendido) e 5 (pesos de classe e perda de Dice) |
# | 04 · FCN com VGG16 | exercício 6: a mesma adaptação para uma rede mais profunda, e a cabeça do artigo que soma escores |
# | 05 · Comparação | exercício 7: com e sem *skip connections*, pré-treinada ou do zero, e as opções novas; o que veio depois das FCNs |
#
# **Ao final deste notebook você consegue**
#
# 1. escolher o perfil de execução (`full`, `demo` ou `smoke`) e mudar qualquer hiperparâmetro do curso com
#    `course_args(...)`;
# 2. calcular a IoU, a mIoU (com e sem o fundo) e o Dice de um exemplo pequeno, à mão e a partir de uma
#    matriz de confusão (**Exercício 0**);
# 3. apontar três erros comuns no cálculo dessas métricas (*void* contado como fundo, média por imagem,
#    interseção dividida pelo rótulo) e dizer o que cada um muda no número;
# 4. obter o Pascal VOC 2012, ler os rótulos pelos índices da paleta, montar o subconjunto
#    fundo/ônibus/pessoa e explicar o que o filtro de imagens deixa passar;
# 5. criar os `DataLoader`s que os próximos notebooks usam.
#
# **Quanto tempo leva.**
#
# * **Tempo de estudo: ~60 min**: ler com calma (cerca de 30 min), rodar as células e olhar as figuras,
#   fazer o exercício 0 e escrever uma previsão. Cabe numa aula de 100 minutos.
# * **Tempo de máquina**: este notebook não treina nada. No perfil `demo` ele roda em menos de um minuto
#   numa CPU de 2 núcleos (inclui gerar o conjunto sintético, uns 3 s); no perfil `full`, o tempo vai
#   para baixar o VOC (cerca de 2 GB) e, só na primeira vez, ler os rótulos para montar o subconjunto.
#   Os tempos medidos de cada notebook e perfil estão na tabela *Time budget* do `README.md`.
#
# **Antes de começar.** O `README.md` da pasta `notebooks/` reúne o que não é conteúdo: como instalar o
# curso no seu computador, o par `.ipynb` + `.py` de cada notebook, os três perfis de execução em
# detalhe, a numeração dos exercícios e as convenções de escrita (termos em inglês em itálico, *stride*
# e não "passo", vírgula decimal no texto e ponto no que o código imprime).

# %% [markdown]
# ## Como executar este curso
#
# Todo o código auxiliar do curso fica no pacote `fcn_course` (leia-o à vontade: ele foi escrito para
# ser lido). Os notebooks narram, explicam e chamam esse pacote; o código que **você** escreve fica
# nas células de exercício.
#
# **No Google Colab**: clique no selo *Abrir no Colab* do topo do notebook, escolha *Ambiente de execução →
# Alterar o tipo de ambiente de execução → GPU* e rode a célula de preparação logo abaixo do selo (ela
# instala o pacote do curso; com `USAR_DRIVE = True`, os dados ficam no seu Google Drive). Os notebooks 03,
# 04 e 05 leem as classes que você escreveu nos anteriores: guarde os cinco notebooks numa mesma pasta do seu Drive
# (*Arquivo → Salvar uma cópia no Drive*) e abra-os de lá. **No seu computador**, siga o `README.md` da
# pasta `notebooks/`.
#
# **Perfis.** O curso roda em três perfis: `full` (padrão: o VOC de verdade, 50 épocas; pede uma GPU),
# `demo` (um VOC sintético em que, numa CPU, você vê a FCN aprender em poucos minutos) e `smoke` (o
# mesmo conjunto sintético em miniatura, só para ver que tudo roda). Escolha com a variável de ambiente
# `FCN_COURSE_PROFILE=demo` (ou `smoke`) antes de abrir o Jupyter, ou com `course_args(profile="demo")`;
# a primeira célula de cada notebook imprime qual perfil está rodando e por quê. A variável
# `FCN_COURSE_DATA` escolhe a pasta dos dados (padrão: `~/fcn_course_data`). Os detalhes de cada perfil
# estão no `README.md` da pasta `notebooks/`.

# %% [markdown]
# ## Preparação
#
# Primeiro, as importações. Repare que quase tudo vem do pacote `fcn_course`.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from PIL import Image
from sklearn.metrics import f1_score, jaccard_score

from fcn_course import checks, plots, quiz
from fcn_course.config import course_args, seed_everything
from fcn_course.data import (VOC_CLASSES, VOID, VOCSubset, download_voc, label_lookup_table, make_loaders,
                             prepare_data, read_voc_mask, voc_colormap, voc_folder, voc_is_ready)
from fcn_course.metrics import ConfusionMatrix
from fcn_course.widgets import dataset_browser

# %% [markdown]
# Agora os hiperparâmetros. A função `course_args()` devolve um dicionário com as **mesmas chaves do
# curso original**; os perfis `demo` e `smoke` mudam alguns valores. Para mudar qualquer valor, passe-o como
# argumento, por exemplo `course_args(epoch_num=10, skip=False)`. (A linha `%matplotlib inline` faz
# as figuras aparecerem dentro do notebook.)

# %%
# %matplotlib inline

args = course_args()
seed_everything(args["seed"])

print("device:", args["device"])
prepare_data(args)  # says which profile runs, and writes the synthetic dataset when it needs one
for key, value in args.items():
    print(f"  {key:>13}: {value}")

# %% [markdown]
# O que significa cada chave (valores do perfil `full`):
#
# | Chave | Valor | Significado |
# |---|---|---|
# | `epoch_num` | 50 | número de épocas (cada época percorre o conjunto de treino inteiro uma vez) |
# | `classes`, `n_classes` | `("background", "bus", "person")`, 3 | as classes que a rede vai aprender (veja a seção do Pascal VOC) |
# | `pretrained` | `True` | o *backbone* começa com os pesos treinados no ImageNet (*transfer learning*) |
# | `skip` | `True` | usar *skip connections* (notebook 02) |
# | `lr` | 1e-4 | taxa de aprendizado (*learning rate*) do Adam |
# | `weight_decay` | 5e-4 | penalidade L2 nos pesos: desestimula pesos grandes e reduz o *overfitting* |
# | `momentum` | 0.9 | usado como o $\beta_1$ do Adam: o peso da média móvel dos gradientes |
# | `num_workers` | depende da máquina | processos que carregam imagens em paralelo com o treino |
# | `batch_size` | 8 | imagens por lote (em inglês, *batch* ou *mini-batch*) |
# | `w_size`, `h_size` | 224, 224 | tamanho do recorte (*crop*) de cada imagem, o mesmo do ImageNet |
# | `show_freq` | 5 | a cada 5 épocas, mostrar as predições da rede em imagens de validação |
# | `root` | pasta dos dados | a pasta que **contém** `VOCdevkit/` |
# | `max_samples` | `None` | limite opcional de imagens (útil para testes rápidos) |
# | `runs_dir` | `runs` | onde os treinos guardam histórico e *checkpoints* (`FCN_COURSE_RUNS` muda o padrão) |
# | `device` | `cuda`, `mps` ou `cpu` | onde a rede roda: a GPU, se houver uma |
# | `seed` | 0 | semente dos geradores aleatórios, para que um experimento possa ser repetido |
#
# No perfil `smoke`: `epoch_num=2`, `batch_size=4`, imagens de 96×96, `show_freq=1` e `pretrained=False`.
# No `demo`: `epoch_num=12`, imagens de 160×160, `lr=1e-3` e `pretrained=False` (a VGG16 do notebook 04
# usa 96×96, 48 imagens, 10 épocas e `lr=3e-4`). Nenhum dos dois baixa pesos. A tabela completa fica em
# `fcn_course.config.PROFILES`.

# %% [markdown]
# A inicialização dos pesos de uma rede treinada do zero (a de Kaiming) é explicada no notebook 02, onde
# ela é usada pela primeira vez.

# %% [markdown]
# ## Métricas para segmentação semântica
#
# Para cada classe $c$, contamos pixels, comparando a predição com o rótulo verdadeiro (*ground truth*):
#
# * $TP_c$ (verdadeiros positivos): pixels da classe $c$ preditos como $c$;
# * $FP_c$ (falsos positivos): pixels de **outras** classes preditos como $c$;
# * $FN_c$ (falsos negativos): pixels da classe $c$ preditos como **outra** classe.
#
# ### IoU (Jaccard)
#
# Sejam $A$ o conjunto de pixels que o rótulo diz ser da classe $c$ e $B$ o conjunto de pixels que a
# rede prediz como $c$. A **Intersection over Union** (IoU), ou **índice de Jaccard**, é
#
# $$ IoU_c = \frac{|A \cap B|}{|A \cup B|} = \frac{TP_c}{TP_c + FP_c + FN_c} . $$
#
# Ela vai de 0 (nenhuma sobreposição) a 1 (predição perfeita) e pune os dois tipos de erro: pintar
# pixels demais ($FP$) e deixar pixels de fora ($FN$).

# %%
plots.iou_illustration()

# %% [markdown]
# ### mIoU
#
# Com várias classes, a métrica padrão é a média das IoUs, a **mean IoU**:
#
# $$ mIoU = \frac{1}{|\mathcal{C}|}\sum_{c \in \mathcal{C}} IoU_c , $$
#
# onde $\mathcal{C}$ são as classes que aparecem (no rótulo ou na predição): uma classe ausente das duas
# teria $0/0$, e fica de fora da média. Como cada classe pesa o mesmo, uma classe pequena (uma pessoa
# ao fundo) conta tanto quanto o fundo, que ocupa a maior parte da imagem.
#
# ### F1 (Dice)
#
# O **F1-score**, chamado de **coeficiente de Dice** em segmentação, é
#
# $$ Dice_c = \frac{2\,|A \cap B|}{|A| + |B|} = \frac{2\,TP_c}{2\,TP_c + FP_c + FN_c} . $$
#
# As duas métricas contam a mesma coisa e uma determina a outra: dividindo o numerador e o denominador
# por $TP + FP + FN$, chega-se a
#
# $$ Dice = \frac{2\,IoU}{1 + IoU}, \qquad IoU = \frac{Dice}{2 - Dice} . $$
#
# Portanto elas ordenam os modelos da mesma forma (para uma classe); o Dice é sempre $\geq$ IoU.

# %% [markdown]
# ### Um exemplo pequeno, feito à mão
#
# Um rótulo $4\times4$ com três classes (0 = fundo, 1 = ônibus, 2 = pessoa) e um pixel ***void***
# (255: uma borda que os anotadores não quiseram classificar), e a predição de uma rede que "pinta
# ônibus demais":

# %%
label = np.array([
    [0, 0, 1, 1],
    [0, 0, 1, 1],
    [0, 2, 2, VOID],
    [0, 2, 2, 2],
])
prediction = np.array([
    [0, 1, 1, 1],
    [0, 1, 1, 1],
    [0, 2, 2, 1],
    [0, 0, 2, 2],
])
toy_classes = ("background", "bus", "person")

fig, axes = plt.subplots(1, 2, figsize=(7, 3.5))
for ax, (title, mask) in zip(axes, [("rótulo", label), ("predição", prediction)]):
    ax.imshow(plots.colorize(mask, toy_classes))
    for (row, col), value in np.ndenumerate(mask):  # write the class index on each pixel
        ax.text(col, row, str(value), ha="center", va="center", fontsize=12)
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])

# %% [markdown]
# Deixando de lado o pixel *void*, sobram 15 pixels. Contando classe por classe:
#
# * **fundo** (6 pixels no rótulo): 4 preditos como fundo, 2 como ônibus → $TP=4$, $FN=2$; um pixel de
#   pessoa foi predito como fundo → $FP=1$. $IoU = 4/(4+1+2) = 4/7 \approx 0{,}5714$.
# * **ônibus** (4 pixels): os 4 acertados → $TP=4$, $FN=0$; mas 2 pixels de fundo viraram ônibus →
#   $FP=2$. $IoU = 4/(4+2+0) = 4/6 \approx 0{,}6667$.
# * **pessoa** (5 pixels): 4 acertados, 1 virou fundo → $TP=4$, $FN=1$, $FP=0$.
#   $IoU = 4/5 = 0{,}8$.
#
# $mIoU = (0{,}5714 + 0{,}6667 + 0{,}8)/3 \approx 0{,}6794$. Os Dice: $8/11 \approx 0{,}7273$,
# $8/10 = 0{,}8$ e $8/9 \approx 0{,}8889$ (confira: $2 \cdot 0{,}8/(1+0{,}8) = 0{,}8889$).
#
# Agora com a classe `ConfusionMatrix` de `fcn_course.metrics`. Ela acumula uma **matriz de confusão**
# $M$, em que $M_{t,p}$ conta os pixels de classe verdadeira $t$ preditos como $p$; daí
# $TP_c = M_{c,c}$, $FN_c$ é o resto da linha $c$ e $FP_c$ o resto da coluna $c$. Para conferir,
# calculamos o mesmo com o scikit-learn, passando só os pixels que não são *void*:

# %%
# NBVAL_CHECK_OUTPUT
matrix = ConfusionMatrix(num_classes=3, ignore_index=VOID)
matrix.update(prediction, label)
scores = matrix.compute()
print("confusion matrix (rows = true class, columns = predicted class):")
print(matrix.matrix.numpy())
print()
print(matrix.table(toy_classes))
print(f"pixel accuracy: {scores['pixel_acc']:.4f}")

valid = label != VOID
sk_iou = jaccard_score(label[valid], prediction[valid], labels=[0, 1, 2], average=None)
sk_dice = f1_score(label[valid], prediction[valid], labels=[0, 1, 2], average=None)
print()
print("scikit-learn IoU: ", np.round(sk_iou, 4))
print("scikit-learn Dice:", np.round(sk_dice, 4))
print("same as ConfusionMatrix:", np.allclose(sk_iou, scores["iou"]) and np.allclose(sk_dice, scores["dice"]))
print("Dice == 2 IoU / (1 + IoU):", np.allclose(scores["dice"], 2 * sk_iou / (1 + sk_iou)))

# %% [markdown]
# ### Armadilha 1: *void* não é fundo
#
# Os pixels 255 do Pascal VOC marcam bordas de objetos e regiões ambíguas. Eles **não** são fundo: são
# pixels sobre os quais não sabemos a resposta. Por isso são **ignorados** tanto na perda
# (`CrossEntropyLoss(ignore_index=255)`, notebook 02) quanto nas métricas (`ignore_index=255` da
# `ConfusionMatrix`).
#
# O curso original transformava o *void* em fundo. Veja o efeito no exemplo: a rede predisse ônibus no
# pixel *void*, e esse "erro" passa a contar contra ela. Pior: no treino, a rede seria ensinada a chamar
# de fundo justamente as bordas dos objetos.

# %%
# NBVAL_CHECK_OUTPUT
void_as_background = np.where(label == VOID, 0, label)
wrong = ConfusionMatrix(num_classes=3, ignore_index=VOID)
wrong.update(prediction, void_as_background)
print("IoU per class, void ignored:       ", np.round(scores["iou"], 4))
print("IoU per class, void as background: ", np.round(wrong.compute()["iou"], 4))

# %%
quiz.ask("void-iou")

# %% [markdown]
# ### Armadilha 2: uma matriz para o conjunto inteiro, não uma média por imagem
#
# A IoU de um conjunto de validação se calcula com **uma única** matriz de confusão, somando os pixels
# de todas as imagens, e só no fim se aplica a fórmula. Calcular a IoU de cada imagem (ou de cada lote)
# e tirar a média dá **outro número**: nele, cada imagem pesa o mesmo, tenha o objeto 2 ou 2000 pixels.
# Conforme os dados, esse número sai maior ou menor que a IoU do conjunto, e não se compara com ela.
#
# Dois exemplos, cada um com duas imagens $10\times10$: uma com uma pessoa grande (50 pixels) e outra
# com uma pessoa minúscula (2 pixels), sem nenhum falso positivo.
#
# * **A**: a rede acha só metade da pessoa grande (25 pixels) e acerta a pessoa minúscula em cheio.
# * **B**: a rede acha a pessoa grande inteira e **perde** a pessoa minúscula.

# %%
# NBVAL_CHECK_OUTPUT
def person_iou(pairs):
    """Person IoU (class 1) of each (label, prediction) pair on its own, and of one matrix over all pairs."""
    whole_split = ConfusionMatrix(num_classes=2)
    per_image = []
    for lab, pred in pairs:
        image_matrix = ConfusionMatrix(num_classes=2)
        image_matrix.update(pred, lab)
        per_image.append(image_matrix.compute()["iou"][1])
        whole_split.update(pred, lab)
    return per_image, whole_split.compute()["iou"][1]


big = np.zeros((10, 10), dtype=np.int64)
big[:5, :] = 1                          # a big person: 50 pixels
big_half_found = np.zeros_like(big)
big_half_found[:5, :5] = 1              # only half of it found
tiny = np.zeros((10, 10), dtype=np.int64)
tiny[0, :2] = 1                         # a tiny person: 2 pixels
tiny_missed = np.zeros_like(tiny)       # predicted as background

examples = {
    "A: big person half found, tiny person found": [(big, big_half_found), (tiny, tiny.copy())],
    "B: big person found, tiny person missed": [(big, big.copy()), (tiny, tiny_missed)],
}
for name, pairs in examples.items():
    per_image, whole = person_iou(pairs)
    print(name)
    print(f"  person IoU of each image:           {', '.join(f'{iou:.4f}' for iou in per_image)}")
    print(f"  mean of the per-image IoUs:         {np.mean(per_image):.4f}")
    print(f"  IoU of one matrix over both images: {whole:.4f}")

# %% [markdown]
# Em **A**, a rede encontrou 27 dos 52 pixels de pessoa: a IoU do conjunto é $27/52 \approx 0{,}52$, e a
# média por imagem sai **maior**, $0{,}75$, porque a imagem fácil, com 2 pixels, vale tanto quanto a
# difícil, com 50. Em **B**, ela encontrou 50 dos 52: a IoU do conjunto é $50/52 \approx 0{,}96$, e a
# média por imagem sai **menor**, $0{,}50$, porque um objeto pequeno perdido zera a IoU da sua imagem.
#
# A média por imagem não é uma versão "otimista" nem "pessimista" da mIoU: é outra medida, com outro
# significado, e números calculados de um jeito não se comparam com números calculados do outro. As
# funções de treino e validação do curso (`fcn_course.engine`) acumulam uma única `ConfusionMatrix` por
# época.

# %%
quiz.ask("dataset-miou")

# %% [markdown]
# ### Armadilha 3: dividir a interseção pelo rótulo não é IoU
#
# O curso original calculava, para cada classe, a interseção dividida pelo **número de pixels da classe
# no rótulo**, $TP/(TP+FN)$. Isso é a **revocação** (*recall*, ou acurácia por classe), não a IoU: ela
# ignora os falsos positivos. No nosso exemplo, a rede pintou ônibus em pixels de fundo, e mesmo assim
# o ônibus ganharia nota máxima; uma rede que pintasse **a imagem inteira** de ônibus também ganharia
# 1,0 para o ônibus.
#
# (O código original tinha ainda outro deslize: os acumuladores começavam em `np.asarray(n_classes)`,
# isto é, o escalar 3, somado a todas as classes.)

# %%
# NBVAL_CHECK_OUTPUT
recall = np.asarray(scores["recall"])
print(f"{'class':<12}{'IoU':>8}{'TP/(TP+FN)':>12}")
for name, iou, rec in zip(toy_classes, scores["iou"], recall):
    print(f"{name:<12}{iou:8.4f}{rec:12.4f}")
print(f"{'mean (fg)':<12}{scores['miou_fg']:8.4f}{recall[1:].mean():12.4f}")

everything_bus = np.ones_like(prediction)
all_bus = ConfusionMatrix(num_classes=3)
all_bus.update(everything_bus, label)
print()
print("a 'network' that predicts bus everywhere:")
print(f"  bus IoU {all_bus.compute()['iou'][1]:.4f}, bus TP/(TP+FN) {all_bus.compute()['recall'][1]:.4f}")

# %%
quiz.ask("recall-not-iou")

# %% [markdown]
# ### mIoU com e sem o fundo
#
# O curso original imprimia a média das IoUs **sem o fundo** (classes 1 em diante). O fundo costuma ser
# a classe mais fácil e mais frequente, então incluí-lo puxa a média para cima; sem ele, o número fala
# só dos objetos que nos interessam. A `ConfusionMatrix` calcula os dois:
#
# * `miou`: média sobre todas as classes (a definição usual em artigos, incluindo o do FCN, que tem 21
#   classes contando o fundo);
# * `miou_fg`: média sem a classe 0 (*foreground*), a que o treino do curso imprime.
#
# No exemplo: `miou` = 0,6794 e `miou_fg` = (0,6667 + 0,8)/2 = 0,7333. Ao comparar números com um
# artigo, confira sempre qual das duas (e em qual conjunto de dados) foi usada.

# %% [markdown]
# ## Exercício 0 (opcional, aquecimento): IoU e Dice a partir da matriz de confusão
#
# Complete a função `iou_and_dice_from_confusion(matrix)`. Ela recebe uma matriz de confusão
# $n \times n$ (linhas = classe verdadeira, colunas = classe predita) e devolve dois arrays de
# tamanho $n$: a IoU e o Dice de cada classe. Para uma classe que não aparece nem no rótulo nem na
# predição (linha e coluna zeradas), devolva `NaN`.
#
# Dicas: `np.diag` dá os $TP$; somar uma coluna dá $TP + FP$; somar uma linha dá $TP + FN$. Uma divisão
# $0/0$ em NumPy dá `nan` (com um aviso que `np.errstate` silencia).

# %%
import numpy as np


def iou_and_dice_from_confusion(matrix):
    """Per-class IoU and Dice from a confusion matrix (rows = true class, columns = predicted class).

    Returns two float arrays with one value per class; NaN for a class absent from labels and predictions.
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    raise NotImplementedError("calcule o IoU e o Dice de cada classe a partir da matriz de confusão e guarde-os em `iou` e `dice`")
    return iou, dice


# %% [markdown]
# **Dicas** (abra uma de cada vez, só quando precisar: a seguinte aparece dentro da anterior)
#
# <details><summary>Dica 1</summary>
#
# Na matriz, as linhas são a classe verdadeira e as colunas a prevista: os acertos (TP) estão na diagonal; os FP de uma classe estão na sua coluna fora da diagonal, os FN na sua linha.
#
# <details><summary>Dica 2</summary>
#
# Calcule TP, FP e FN de todas as classes de uma vez com operações do NumPy (sem laço) e aplique as fórmulas do texto; uma classe ausente dá 0/0, que deve virar NaN sem aviso (`np.errstate`).
#
# <details><summary>Esqueleto (complete os `...`)</summary>
#
# ```python
# tp = ...
# fp = ...
# fn = ...
# with np.errstate(...):
#     iou = ...
#     dice = ...
# ```
#
# </details></details></details>

# %%
checks.check("iou");

# %% [markdown]
# ## Desafio (opcional, extra): mIoU por imagem contra mIoU do conjunto
#
# Um passo além da Armadilha 2, para quem quiser: o desafio não vale nota, e o resto do notebook roda sem
# ele.
#
# Escreva `miou_per_image(labels, predictions, num_classes, ignore_index=255)`. Ela recebe uma lista de
# rótulos e uma de predições (arrays 2D de índices de classe, um par por imagem; os tamanhos podem variar
# de uma imagem para outra) e devolve a **média, sobre as imagens, da mIoU de cada imagem**. Em cada
# imagem, ignore os pixels *void* e deixe fora da média as classes ausentes daquela imagem (que não estão
# nem no rótulo nem na predição). A verificação compara a sua função com uma referência em conjuntos
# sorteados, com classes ausentes, uma classe só predita e pixels *void*.
#
# Quando ela passar, a célula seguinte a põe lado a lado com a mIoU do conjunto nos exemplos A e B da
# Armadilha 2. Para ir além: monte um exemplo seu em que a média por imagem fique **acima** da mIoU do
# conjunto e outro em que fique **abaixo**, e explique cada um em uma frase. Qual das duas medidas você
# usaria para comparar com um artigo?

# %%
def miou_per_image(labels, predictions, num_classes, ignore_index=VOID):
    """Mean over images of each image's mIoU: one confusion matrix per image, void pixels ignored, and the
    classes absent from an image (from its label and its prediction) left out of that image's mean."""
    raise NotImplementedError("calcule a mIoU de cada imagem (uma matriz de confusão por imagem) e devolva a média delas")


# %% [markdown]
# **Dicas** (abra uma de cada vez, só quando precisar: a seguinte aparece dentro da anterior)
#
# <details><summary>Dica 1</summary>
#
# A `ConfusionMatrix(num_classes, ignore_index=...)` já calcula a mIoU de uma imagem, com NaN para as classes ausentes: crie uma nova para cada par (rótulo, predição).
#
# <details><summary>Dica 2</summary>
#
# Para cada par, `update` recebe a predição e depois o rótulo (como tensores), e `compute()` devolve um dicionário com a chave "miou"; no fim, tire a média das imagens com `np.nanmean`.
#
# <details><summary>Esqueleto (complete os `...`)</summary>
#
# ```python
# scores = ...  # a mIoU de cada imagem
# for ...:  # cada par (rótulo, predição)
#     matrix = ...
#     ...
# return ...
# ```
#
# </details></details></details>

# %%
checks.check("miou-per-image");

# %%
if checks.check("miou-per-image", verbose=False):  # runs once your miou_per_image passes the check
    for name, pairs in examples.items():
        labels_of_pair, predictions_of_pair = zip(*pairs)
        whole_split = ConfusionMatrix(num_classes=2)
        for lab, pred in pairs:
            whole_split.update(pred, lab)
        print(name)
        print(f"  mean of the per-image mIoUs: {miou_per_image(labels_of_pair, predictions_of_pair, 2):.4f}")
        print(f"  mIoU of one matrix:          {whole_split.compute()['miou']:.4f}")

# %% [markdown]
# ## O *dataset* Pascal VOC 2012
#
# O [Pascal VOC](http://host.robots.ox.ac.uk/pascal/VOC/voc2012/) foi, junto com o COCO, um dos grandes
# *benchmarks* de visão computacional; a versão 2012 traz rótulos de detecção e de segmentação. A parte
# de segmentação tem:
#
# * **1464** imagens de treino (`train`) e **1449** de validação (`val`);
# * **20 classes de objetos + o fundo** (`background`), 21 classes no total;
# * pixels ***void*** (valor 255) nas bordas dos objetos e em regiões ambíguas.
#
# ### Como obter os dados
#
# Você precisa da pasta `VOCdevkit/VOC2012/` (com `JPEGImages/`, `SegmentationClass/` e
# `ImageSets/Segmentation/`) dentro da pasta de dados, `args["root"]`. Três caminhos:
#
# 1. **Pelo curso**: no terminal, `python -m fcn_course download`; ou, em Python,
#    `download_voc(args["root"])`. O arquivo tem cerca de 2 GB. O servidor de Oxford costuma ficar fora
#    do ar, então a biblioteca tenta um espelho (*mirror*) e confere a soma de verificação
#    (*checksum*) do arquivo antes de extraí-lo: um download interrompido nunca é aceito como completo.
# 2. **À mão**: baixe `VOCtrainval_11-May-2012.tar` por outro meio e extraia-o na pasta de dados.
# 3. **Uma cópia que já existe** (por exemplo, num servidor do laboratório): aponte a variável de
#    ambiente `FCN_COURSE_DATA` para a pasta que contém `VOCdevkit/`.
#
# Nos perfis `demo` e `smoke`, `args["root"]` aponta para o VOC sintético, que `prepare_data(args)`
# (na primeira célula) gera na primeira vez.

# %%
print("data folder:", args["root"])
if not voc_is_ready(args["root"]):
    # About 2 GB: comment this line out if you prefer to download and extract the archive yourself.
    download_voc(args["root"])
voc_dir = voc_folder(args["root"])
print("VOC tree ready:", voc_is_ready(args["root"]))

# %% [markdown]
# ### O formato dos rótulos
#
# Cada rótulo em `SegmentationClass/` é um PNG com **paleta** (modo `"P"`): cada pixel guarda um
# **índice** de 0 a 255, e a paleta só diz com que cor desenhar cada índice. O índice **é** a classe:
# 0 = fundo, 1 = avião, ..., 6 = ônibus, ..., 15 = pessoa, ..., 20 = monitor, 255 = *void*.
# `np.array(Image.open(caminho))` lê os índices diretamente.
#
# Cuidado com `Image.open(caminho).convert("I")` (ou `"L"`): essas conversões trocam cada índice pela
# **luminância** (o brilho) da sua cor na paleta. O ônibus vira 90, a pessoa 147 e o *void* 220. O curso
# original fazia isso e depois procurava os valores 89 e 147; com as versões atuais do Pillow o ônibus
# dá 90, e a classe ônibus **desaparecia sem nenhum erro**. Vamos ver num rótulo do conjunto em uso (nos
# perfis `demo` e `smoke`, o VOC sintético também grava os rótulos como PNG com paleta):

# %%
def has_class(mask_path, class_name):
    """True when the VOC mask at `mask_path` contains at least one pixel of `class_name`."""
    return bool((read_voc_mask(mask_path) == VOC_CLASSES.index(class_name)).any())


train_ids = (voc_dir / "ImageSets" / "Segmentation" / "train.txt").read_text().split()
mask_path = next(voc_dir / "SegmentationClass" / f"{image_id}.png" for image_id in train_ids
                 if has_class(voc_dir / "SegmentationClass" / f"{image_id}.png", "bus"))

with Image.open(mask_path) as mask:
    print(f"{mask_path.name}: PNG mode {mask.mode!r}, size {mask.size}")
    indices = np.array(mask)
    luminance = np.array(mask.convert("I"))

print(f"{'np.array(mask)':>14} {'class':>12} {'convert(I)':>12}")
for value in np.unique(indices):
    name = "void" if value == VOID else VOC_CLASSES[value]
    print(f"{value:>14} {name:>12} {np.unique(luminance[indices == value])[0]:>12}")

# %% [markdown]
# E não é só um problema de números diferentes: a luminância **junta** classes distintas. Na tabela
# abaixo, avião (1) e vaso de planta (16) têm o mesmo brilho, assim como pássaro (3) e sofá (18); depois
# de um `convert("I")`, não há como separá-las. (Os valores podem variar um pouco entre versões do
# Pillow, mais um motivo para não depender deles.)

# %%
palette_image = Image.fromarray(np.arange(256, dtype=np.uint8).reshape(16, 16), mode="P")
palette_image.putpalette(voc_colormap().ravel().tolist())
brightness = np.array(palette_image.convert("I")).ravel()

for index, name in enumerate(VOC_CLASSES):
    twins = [VOC_CLASSES[other] for other in range(len(VOC_CLASSES))
             if other != index and brightness[other] == brightness[index]]
    note = f"  <- same as {', '.join(twins)}" if twins else ""
    print(f"{index:3d} {name:<12} colour {tuple(int(c) for c in voc_colormap()[index])!s:<16} "
          f"luminance {brightness[index]:3d}{note}")

# %% [markdown]
# ### Escolhendo as classes
#
# Como no curso original, vamos trabalhar com três classes: **fundo, ônibus e pessoa**. As classes são
# escolhidas **pelo nome**, em `args["classes"]`; a posição na tupla vira o índice usado pela rede:
# `background → 0`, `bus → 1`, `person → 2`. As outras 18 classes do VOC viram fundo e o *void* continua
# 255. Para usar as 21 classes, basta `course_args(classes=VOC_CLASSES)`.
#
# Por dentro, isso é só uma tabela de consulta com 256 posições: `novo_rótulo = tabela[rótulo_voc]`.

# %%
# NBVAL_CHECK_OUTPUT
table = label_lookup_table(("background", "bus", "person"))
for voc_index in range(len(VOC_CLASSES)):
    print(f"{VOC_CLASSES[voc_index]:>12} ({voc_index:2d}) -> {table[voc_index]}")
print(f"{'void':>12} ({VOID}) -> {table[VOID]}")

# %% [markdown]
# ### Filtrando as imagens
#
# A maioria das imagens do VOC não tem nem ônibus nem pessoa. Mantemos só as que mostram **pelo menos
# duas das classes escolhidas** (por exemplo, fundo e pessoa). A classe `VOCSubset` lê cada rótulo uma
# única vez, guarda a lista de imagens aprovadas num arquivo de cache e, nas próximas vezes, só lê esse
# arquivo. (O curso original decodificava as quase 3000 imagens a cada execução.)
#
# Cada item do `VOCSubset` é um par `(imagem, rótulo)`: a imagem recortada no centro para
# `h_size × w_size` e normalizada com a média e o desvio-padrão do ImageNet, e o rótulo com os índices
# do curso (0, 1, 2 ou 255).
#
# **O filtro olha o rótulo inteiro; a rede vê só o recorte central.** As fotos do VOC são bem maiores
# que $224\times224$. Um ônibus ou uma pessoa perto da borda pode ficar fora do recorte.
#
# Quantas imagens isso atinge? Os números a seguir vêm da revisão do curso e ainda não foram conferidos
# numa execução completa no VOC real: leia-os como estimativas. Com as três classes do curso, o filtro
# mantém cerca de 350 imagens de treino e 495 de validação. Nos recortes centrais de $224\times224$,
# umas 38 das de treino e 58 das de validação ficam com menos de duas das classes escolhidas. Em 54
# recortes de validação só aparece fundo. A célula abaixo imprime quantas imagens o filtro manteve no
# conjunto que você está usando.
#
# Por que filtrar pelo rótulo inteiro? Porque assim o filtro não depende da geometria. O mesmo cache
# vale para qualquer `h_size`/`w_size` e também para o aumento de dados (`augment=True`), em que o
# recorte é sorteado a cada época. O preço: com o recorte central, cerca de 1 em cada 9 imagens chega à
# rede sem objeto das classes escolhidas, ou sem fundo.
#
# * **No treino**, essas imagens ensinam a rede a dizer "fundo" onde não há ônibus nem pessoa. Isso
#   não é ruim.
# * **Na validação**, elas não trazem nenhum pixel de ônibus ou pessoa para acertar. Mas todo pixel que
#   a rede pintar, por engano, como ônibus ou pessoa conta contra ela.
#
# Como a matriz de confusão é uma só para o conjunto inteiro (Armadilha 2), essas imagens não produzem
# divisões por zero: só acrescentam pixels de fundo e eventuais falsos positivos.

# %%
size = (args["h_size"], args["w_size"])
train_set = VOCSubset(args["root"], "train", classes=args["classes"], size=size)
val_set = VOCSubset(args["root"], "val", classes=args["classes"], size=size)

# %%
image, label_map = train_set[0]
print("image:", tuple(image.shape), image.dtype, f"min {image.min():.2f}, max {image.max():.2f}")
print("label:", tuple(label_map.shape), label_map.dtype, "values", torch.unique(label_map).tolist())

# %% [markdown]
# ### Olhando as amostras
#
# A imagem normalizada tem valores negativos e maiores que 1; para mostrá-la, é preciso desfazer a
# normalização (`fcn_course.data.denormalize`). Os rótulos são desenhados com as cores da paleta do
# VOC (pessoa em rosa, ônibus em verde-azulado, *void* em bege).

# %%
plots.show_samples(train_set, n=4)

# %% [markdown]
# Para navegar pelo conjunto com calma, use o navegador interativo abaixo (ele precisa do
# `ipywidgets`; sem ele, por exemplo ao rodar fora do Jupyter, aparece uma figura estática com as
# primeiras amostras).

# %%
dataset_browser(val_set)

# %% [markdown]
# ### Aumento de dados (*data augmentation*) para segmentação
#
# Em classificação, girar ou espelhar a imagem não muda o rótulo ("ônibus" continua "ônibus"). Em
# segmentação o rótulo **é uma imagem**: toda transformação geométrica (recorte, espelhamento, mudança
# de escala, rotação) tem de ser aplicada **à imagem e ao rótulo juntos, com os mesmos parâmetros
# sorteados**; senão o ônibus vai para a esquerda e o rótulo dele fica à direita. Transformações só de
# cor (brilho, contraste) mudam apenas a imagem.

# %% [markdown]
# **Previsão (antes de rodar).** Para ampliar a imagem usamos interpolação bilinear. E o rótulo? Ele
# guarda índices de classe (0 = fundo, 1 = ônibus, 2 = pessoa, 255 = *void*). O que a interpolação
# bilinear faria na fronteira entre o fundo (0) e uma pessoa (2)? E perto de um pixel *void*? Escreva a
# sua previsão na célula abaixo e só então rode a figura.

# %% [markdown]
# _Escreva sua resposta aqui._

# %%
plots.label_interpolation_demo(train_set[0][1], args["classes"])

# %% [markdown]
# Compare com a sua previsão. A média de 0 e 2 é 1: a interpolação bilinear **inventa um ônibus** no
# contorno de cada pessoa, e perto do *void* (255) cria números que nem são classes. Índices não são
# quantidades de que se possa tirar a média; para o rótulo, use sempre o **vizinho mais próximo**
# (`InterpolationMode.NEAREST`).
#
# O `VOCSubset` já faz isso com `augment=True` (e `make_loaders` com `args["augment"] = True`): um zoom
# aleatório entre 0,5× e 1,5× (bilinear na imagem, vizinho mais próximo no rótulo), um recorte aleatório
# e um espelhamento horizontal com probabilidade 1/2, sorteados uma vez e aplicados aos dois. O curso
# original não usava aumento de dados, e por isso o padrão é `False`; o notebook 05 mede o efeito. Abaixo,
# a mesma imagem de treino sorteada quatro vezes: o rótulo acompanha a imagem em cada versão.

# %%
augmented_set = VOCSubset(args["root"], "train", classes=args["classes"], size=size, augment=True, verbose=False)
torch.manual_seed(args["seed"])
versions = [augmented_set[0] for _ in range(4)]
plots.show_predictions(torch.stack([image for image, _ in versions]), torch.stack([label for _, label in versions]),
                       torch.stack([label for _, label in versions]), classes=args["classes"],
                       title="Quatro sorteios do aumento de dados na mesma imagem (rótulo = 'predição')")

# %% [markdown]
# ### Quantos pixels tem cada classe?
#
# Contando os pixels dos rótulos de treino (recortes centrais, *void* fora):

# %%
def count_class_pixels(dataset, num_classes):
    """Pixels of each class over every label of ``dataset`` (void, 255, left out)."""
    counts = torch.zeros(num_classes, dtype=torch.int64)
    for _, label in dataset:
        counts += torch.bincount(label[label != VOID].reshape(-1), minlength=num_classes)
    return counts


# %%
train_pixel_counts = count_class_pixels(train_set, args["n_classes"])
plots.pixel_frequencies(train_pixel_counts, args["classes"])

# %% [markdown]
# O fundo domina. Com a entropia cruzada, cada pixel pesa igual, e uma rede que respondesse "fundo" em
# toda parte já acertaria a maioria dos pixels (mas teria IoU 0 no ônibus e na pessoa: outra razão para
# reportar a `miou_fg`). No notebook 03 (exercício 5) você vai calcular pesos de classe a partir dessas
# contagens e escrever a perda de Dice; o notebook 05 mede se o balanceamento ajuda aqui.

# %% [markdown]
# ## Os `DataLoader`s
#
# Por fim, `make_loaders(args)` monta os dois `DataLoader`s (treino embaralhado, validação em ordem
# fixa) a partir do dicionário de hiperparâmetros. É essa linha que os notebooks seguintes usam.

# %%
train_loader, val_loader = make_loaders(args)
images, labels = next(iter(train_loader))
print(f"batches per epoch: train {len(train_loader)}, val {len(val_loader)}")
print("images:", tuple(images.shape), images.dtype)
print("labels:", tuple(labels.shape), labels.dtype)
print("label values in this batch:", torch.unique(labels).tolist())

# %% [markdown]
# As imagens chegam como `[B, 3, H, W]` (float) e os rótulos como `[B, H, W]` (inteiros `int64`, o tipo
# que a `CrossEntropyLoss` espera), com valores em `0..n_classes-1` e 255 nos pixels *void*.
#
# ## Resumo
#
# * $IoU = TP/(TP+FP+FN)$, $Dice = 2TP/(2TP+FP+FN) = 2\,IoU/(1+IoU)$; a mIoU é a média por classe.
# * Pixels *void* (255) são ignorados, não tratados como fundo.
# * Uma única matriz de confusão por conjunto: a média por imagem ou por lote é outro número, maior ou
#   menor conforme os dados, e não se compara com a mIoU do conjunto.
# * O filtro do subconjunto olha o rótulo inteiro, mas a rede vê o recorte central: parte dos recortes
#   fica sem ônibus nem pessoa.
# * Interseção dividida pelo rótulo é *recall*, não IoU.
# * Rótulos do VOC: leia os índices da paleta (`np.array(Image.open(...))`), nunca a luminância.
#
# No **notebook 02**, vamos construir a primeira FCN, com a AlexNet como *backbone*.
